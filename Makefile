# logwarden — see README.md. `make demo` runs the detector locally; `make test` runs every test.
GO        ?= go
FUZZTIME  ?= 3s
BIN       := bin
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags '-s -w'

# `logwarden version` reports the VCS revision Go stamps into the build
# info, which GOFLAGS=-buildvcs=false (set by some CI images and shells)
# turns off. Inside a git checkout ask for it explicitly; outside one (a
# source tarball) -buildvcs=true would fail the build, so it is left out.
# Go stamps only when .git is a directory: a `git worktree` builds without.
BUILDVCS := $(shell git rev-parse --is-inside-work-tree >/dev/null 2>&1 && echo -buildvcs=true)

.PHONY: all build demo test unit fuzz lint cfn-lint bench bench-go eval lambda clean

all: build

build:
	$(GO) build $(BUILDVCS) -o $(BIN)/logwarden ./cmd/logwarden

## demo: replay the simulated days in testdata/demo through the whole detector (no AWS account needed).
## The demo's captures claim us-east-1, so its alerts carry working-shaped console links.
demo:
	LOGWARDEN_REGION=$${LOGWARDEN_REGION:-us-east-1} $(GO) run ./cmd/logwarden replay testdata/demo

## test: everything CI runs — vet, unit and integration tests against the local stand-ins,
## short fuzzing of every parser, and cfn-lint on the deployment template.
test:
	$(GO) vet ./...
	.ci/standins.sh $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory cfn-lint

## unit: the fast tests only (no stand-ins; integration tests skip).
unit:
	$(GO) test ./...

## fuzz: run each Fuzz target for $(FUZZTIME).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg >/dev/null || { $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; exit 1; }; \
	  done; \
	done

cfn-lint:
	@if command -v cfn-lint >/dev/null; then cfn-lint deploy/template.yaml && echo "cfn-lint: deploy/template.yaml ok"; \
	elif [ "$$CI" = "true" ]; then echo "cfn-lint is not installed (required in CI)"; exit 1; \
	else echo "cfn-lint not installed; skipping template lint"; fi

## bench: one table, one process: the decode floor, decode, decode + classify, detect and the
## pipeline on generated max-size batches (several seeds), as ratios to the floor; then the
## user's path (`parse --summary`, `replay`) on a generated capture of 100 max-size events.
## BENCH_FLAGS=-cli=false skips the user's path. The per-package Go benchmarks stay in
## `make bench-go`; `make test` runs none of them (benchmarks never run as tests).
bench:
	$(GO) run ./internal/benchtable $(BENCH_FLAGS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...

## eval: replay every testdata/scenarios folder and freshly generated traces of every simulated
## scenario (3 seeds, incident magnitudes x0.8/x1/x1.5) and print incidents detected, delay, false alerts.
## EVAL_FLAGS="-v" lists each false alert; "-run NAME" one case; "-seeds N" more seeds.
eval:
	$(GO) run ./cmd/eval $(EVAL_FLAGS)

## lambda: the deployable bootstraps (arm64, provided.al2023).
lambda:
	for fn in processor subscriber; do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) $(BUILDVCS) -o build/$$fn/bootstrap ./functions/$$fn; \
	done

clean:
	rm -rf $(BIN) build
