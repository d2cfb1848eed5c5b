# Herald: a static binary on a minimal, non-root image.
# Build:  docker build -t herald .
# Run:    docker run -p 8080:8080 -v herald-data:/data herald

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same script CI runs, so the flags that ship are the flags CI checks
# (CGO_ENABLED=0: the SQLite driver is pure Go).
RUN OUT=/out/herald ./scripts/build.sh && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/herald /herald
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV HERALD_ADDR=:8080 \
    HERALD_DATABASE_URL=sqlite:/data/herald.db
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/herald", "healthcheck"]
ENTRYPOINT ["/herald"]
CMD ["serve"]
