# Everyday targets. `make test` is what CI runs (through .ci/run).
GO       ?= go
FUZZTIME ?= 30s
PKGS     := ./...

.PHONY: all test fmt vet race fuzz fuzz-long bench build interop bench-interop demo

all: test

build:
	$(GO) build $(PKGS)

# test: gofmt check, vet, and the race-enabled test suite.
test: fmt vet race

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

race:
	$(GO) test -race $(PKGS)

# fuzz: run every fuzz target (fuzz/, and the client's MIME and header
# decoders) for FUZZTIME each (default 30s).
fuzz:
	@set -e; for pkg in ./fuzz/ ./client/; do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# fuzz-long: every fuzz target for FUZZTIME (default 1h here), one after
# another; inputs that found new coverage are kept as seeds under
# testdata/fuzz/ (commit them), and a summary gives per target the time,
# executions and new coverage (scripts/fuzz-long.sh).
fuzz-long:
	GO=$(GO) FUZZTIME=$(if $(filter command line environment,$(origin FUZZTIME)),$(FUZZTIME),1h) scripts/fuzz-long.sh

# bench: every benchmark, with MB/s and allocs/op.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# interop: the client's interop suite against a private Dovecot, over
# STARTTLS and over IMAPS (scripts/interop.sh; needs scripts/install-deps.sh
# once). With IMAPWIRE_TEST_ADDR set, against that server instead.
interop:
	GO=$(GO) scripts/interop.sh

# bench-interop: BenchmarkDownload (10,000 messages of 20 KB) against a
# private Dovecot, imapwire against a raw-socket floor, plain and IMAPS.
bench-interop:
	GO=$(GO) scripts/interop.sh bench

# bench-compare: the benchmark of record (bench/compare, a module of its
# own so that go-imap v2 never enters go.mod): imapwire's client, go-imap
# v2, a raw socket and imapwire's parser alone decode the same generated
# bytes from a loopback replay server; prints the Markdown table of the
# README's Performance section. COMPAREFLAGS such as -rounds 9 or
# -workloads list,search.
.PHONY: bench-compare
bench-compare:
	cd bench/compare && $(GO) build -o compare . && ./compare $(COMPAREFLAGS)

# demo: the REPL connected to the built-in demo server (internal/demo), in
# memory on a random loopback port; log in with LOGIN demo demo.
demo:
	$(GO) run ./cmd/imapwire -demo

# stress: the demo server's multi-session stress test (internal/demo
# TestStress, issue 19) run long: STRESS_SESSIONS sessions on one mailbox
# for STRESS_DURATION, each response checked against a model; it prints
# the seed, the commands run, the inconsistencies and the heap before and
# after. STRESS_SEED replays a seed.
STRESS_SESSIONS ?= 10
STRESS_DURATION ?= 10m
STRESS_SEED     ?= 0
.PHONY: stress
stress:
	$(GO) test -race -count=1 -v -run '^TestStress$$' -timeout 0 ./internal/demo/ \
		-stress.sessions $(STRESS_SESSIONS) -stress.duration $(STRESS_DURATION) -stress.seed $(STRESS_SEED)
