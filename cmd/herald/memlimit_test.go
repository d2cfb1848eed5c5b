package main

import (
	"bytes"
	"log/slog"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// TestMemoryLimitFollowsTheContainer: a 1 GiB limit gives the runtime a
// soft limit of 90% of it, logged once; GOMEMLIMIT set by the operator
// wins; an unlimited container sets none.
func TestMemoryLimitFollowsTheContainer(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	t.Setenv("GOMEMLIMIT", "")
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))

	setMemoryLimit(log, memlimit.Limit(1<<30))
	if got, want := debug.SetMemoryLimit(-1), int64(966367641); got != want {
		t.Fatalf("memory limit %d, want %d (90%% of 1 GiB)", got, want)
	}
	if !strings.Contains(out.String(), "gomemlimit_bytes=966367641") {
		t.Fatalf("log %q lacks the limit set", out.String())
	}

	debug.SetMemoryLimit(math.MaxInt64)
	out.Reset()
	setMemoryLimit(log, func() (uint64, error) { return 0, memlimit.ErrNoLimit })
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 || out.Len() != 0 {
		t.Fatalf("unlimited container: limit %d, log %q; want none and no line", got, out.String())
	}

	t.Setenv("GOMEMLIMIT", "512MiB")
	setMemoryLimit(log, memlimit.Limit(1<<30))
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT in the environment the limit became %d; the operator's setting must win", got)
	}
}
