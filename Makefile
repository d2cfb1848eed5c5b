# The README's commands. `make run` and `make test` are all a fresh
# machine with Go needs.
GO        ?= go
TESTFLAGS ?=

.PHONY: run test test-race bench loadtest lint build clean chaos fuzz

## run: start Herald on embedded defaults (SQLite in ./data, in-process cache),
## importing ./examples into an empty store
run:
	$(GO) run ./cmd/herald serve -import.on-empty-store examples -podcast.shows-file docs/shows.example.yaml

## test: the whole test suite (Redis-backed tests start their own redis-server)
test:
	$(GO) test -count=1 $(TESTFLAGS) ./...

## test-race: the suite under the race detector (needs cgo and a C compiler)
test-race:
	$(GO) test -count=1 -race $(TESTFLAGS) ./...

## bench: Go benchmarks with allocation counts
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## loadtest: Herald (with Redis) beside nginx, a Node peer and bare Fiber and fasthttp servers on the same
## feed bytes; needs wrk, nginx, redis-server and node (prints what is
## missing, installs nothing). ROUNDS, DURATION, CONNS tune it.
loadtest:
	./scripts/loadtest.sh

## lint: vet and formatting
lint:
	$(GO) vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## build: the static binary, with the Dockerfile's exact flags
build:
	./scripts/build.sh

## chaos: load with wrk while Redis, the store and Herald itself fail
## (scripts/chaos.sh; needs wrk, redis-server, sqlite3, curl)
chaos:
	./scripts/chaos.sh

## fuzz: every fuzz target for FUZZTIME each (an execution count such as
## 300000x rather than a duration: Go 1.26's fuzzer can fail spuriously with
## "context deadline exceeded" when a duration runs out, golang/go#75804)
FUZZTIME ?= 300000x
## Minimising a new interesting input may take 60 s by default, during which
## the fuzzer runs nothing else; a few seconds keep the corpus small enough.
FUZZMINIMIZE ?= 5s
fuzz:
	@for t in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/func //' | sort -u); do \
	  pkg=$$(grep -rlE "^func $${t}\(" --include='*_test.go' . | head -1 | xargs dirname); \
	  $(GO) test -run '^$$' -fuzz "^$${t}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg || exit 1; \
	done

clean:
	rm -rf bin
