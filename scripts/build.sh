#!/bin/sh
# Builds the static herald binary. The Dockerfile and CI both call this
# script, so the flags that ship are the flags CI checks.
#   OUT      output path (default bin/herald)
#   VERSION  version string baked into `herald version` (default: git describe)
set -eu
cd "$(dirname "$0")/.."
OUT="${OUT:-bin/herald}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o "$OUT" ./cmd/herald
echo "built $OUT ($VERSION)"
