# Pareto — see README.md. Two commands matter: `make run` and `make test`.
GO        ?= go
BIN       := bin/pareto
GOFLAGS   ?=
export GOTOOLCHAIN := local

.PHONY: run build generate test test-short test-citus lint fmt bench bench-quick bench-import bench-scale bench-micro clean chromium axe

run: build
	./$(BIN) serve --seed-demo

build: generate
	$(GO) build -o $(BIN) ./cmd/pareto

# templ output and the enums' code (enums_gen.go, written by
# internal/enum/enumgen from the table in each type's doc comment) are
# committed; this keeps them fresh after edits.
generate:
	$(GO) tool templ generate -log-level error
	$(GO) run ./internal/enum/enumgen ./...

# The whole suite: unit, database (private PostgreSQL started by the test
# helper unless TEST_DATABASE_URL is set), handler and browser tests.
test: generate chromium axe
	$(GO) test -count=1 -timeout 30m ./...

# The database tests again, on a Citus cluster (coordinator + 2 workers)
# brought up in a temporary folder by ../shared/citus and torn down after;
# see scripts/test-citus.sh for its settings and docs/scaling.md.
test-citus: generate chromium axe
	./scripts/test-citus.sh

# Everything but the browser journeys.
test-short: generate
	$(GO) test -count=1 -short ./...

# Performance: seeds 100 tenants (one with 20,000 accounts, 6 criteria and
# 24 months of KPIs for 2,000) into a private PostgreSQL, drives open-loop
# HTTP load against a real `pareto serve` and prints p50/p99/max,
# throughput, errors and peak memory beside the budgets (results also in
# bench-results.txt; see docs/performance.md). bench-quick is the smoke run.
bench:
	$(GO) run ./cmd/pareto-bench

bench-quick:
	$(GO) run ./cmd/pareto-bench --quick

# The import pipeline's rows/s: account files of 50,000 and 200,000 rows
# through upload, preview and commit (results in bench-import.txt).
bench-import:
	$(GO) run ./cmd/pareto-bench --import --out bench-import.txt

# Page cost against portfolio size: one tenant per size in SIZES (seeded
# once into .pareto-bench/ and reused), every page one request at a time
# (median of 15), then the shortlist's first page saturated (8 clients,
# closed loop) against a bare net/http + pgx handler, interleaved, 3 pairs.
# Prints a table, then one `shortlist-scale ...` line per size and one
# `page-scale ...` line per page and size (see docs/performance.md).
SIZES ?= 2000,20000,200000
bench-scale:
	SIZES=$(SIZES) $(GO) run ./cmd/pareto-bench --scale --out bench-results-scale.txt

# The store-level go-test micro-benchmarks.
bench-micro:
	$(GO) test -run '^$$' -bench PortfolioDashboard -benchtime 800x ./internal/kpi/ ./internal/server/
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 20x ./internal/scoring/
	$(GO) test -count=1 -run '^$$' -bench 'HotPath|WhatIfPanel' ./templates/

# The browser tests inject axe-core (accessibility checks) from npm, pinned
# in package-lock.json; `npm ci` runs only when node_modules lacks it or
# the lock file changed.
axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Browser tests drive the system Chromium; install it when missing.
chromium:
	@./scripts/ensure-chromium.sh

lint:
	@out=$$(gofmt -l cmd internal migrations templates web); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	./scripts/templ-fmt-check.sh
	./scripts/imports-check.sh

fmt:
	gofmt -w cmd internal migrations templates web
	$(GO) tool templ fmt templates

clean:
	rm -rf bin
