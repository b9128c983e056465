# Pareto — see README.md. Two commands matter: `make run` and `make test`.
GO        ?= go
BIN       := bin/pareto
GOFLAGS   ?=
export GOTOOLCHAIN := local

.PHONY: run build generate test test-short lint fmt bench clean chromium

run: build
	./$(BIN) serve --seed-demo

build: generate
	$(GO) build -o $(BIN) ./cmd/pareto

# templ output is committed; this keeps it fresh after template edits.
generate:
	$(GO) tool templ generate -log-level error

# The whole suite: unit, database (private PostgreSQL started by the test
# helper unless TEST_DATABASE_URL is set), handler and browser tests.
test: generate chromium
	$(GO) test -count=1 -timeout 15m ./...

# Everything but the browser journeys.
test-short: generate
	$(GO) test -count=1 -short ./...

# Performance: the portfolio dashboard of 2,000 accounts × 24 months beside
# 100 other tenants, from 16 concurrent clients (store level, then the whole
# page over HTTP); reports p50/p99 latency.
bench:
	$(GO) test -run '^$$' -bench PortfolioDashboard -benchtime 800x ./internal/kpi/ ./internal/server/
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 20x ./internal/scoring/

# Browser tests drive the system Chromium; install it when missing.
chromium:
	@./scripts/ensure-chromium.sh

lint:
	@out=$$(gofmt -l cmd internal migrations templates web); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	./scripts/templ-fmt-check.sh

fmt:
	gofmt -w cmd internal migrations templates web
	$(GO) tool templ fmt templates

clean:
	rm -rf bin
