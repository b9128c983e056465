#!/usr/bin/env bash
# make test-citus: every package whose tests use the database, run against a
# real Citus cluster (a coordinator and two workers on 127.0.0.1) brought up
# in a temporary folder with the kit in ../shared/citus, then torn down.
#
# Env:  CITUS_KIT          the kit folder (default: ../shared/citus, relative
#                          to the project root, as CI sees it)
#       CITUS_BASEPORT     first of the three ports (default: the first free
#                          triple from 19700 up, in steps of 10)
#       TEST_CITUS_URL     reuse a running cluster's coordinator instead
#                          (no build, no up/down): a superuser URL to a
#                          database with the citus extension and the
#                          workers registered
#       TEST_CITUS_DBS     shared distributed test databases (default 4)
#       TEST_CITUS_SHARDS  shards per distributed table of the test databases
#                          (default 4 here, 2 per worker: every multi-shard
#                          path is still taken, DDL and cross-shard queries
#                          cost less; Citus's own default is 32)
#       GOTESTFLAGS        extra go test flags (e.g. -run TestX, -short)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
say() { echo "test-citus: $* ($(( $(date +%s) - start ))s)"; }

if [ -z "${TEST_CITUS_URL:-}" ]; then
    KIT=${CITUS_KIT:-../shared/citus}
    if [ ! -x "$KIT/build.sh" ] || [ ! -x "$KIT/cluster.sh" ]; then
        echo "test-citus: the Citus kit is missing: no executable $KIT/build.sh and $KIT/cluster.sh" >&2
        echo "test-citus: it lives beside the project (../shared/citus; CITUS_KIT overrides); see docs/scaling.md" >&2
        exit 1
    fi
    KIT=$(cd "$KIT" && pwd)
    # Idempotent: returns at once when Citus is installed. It refuses while
    # any PostgreSQL runs if it would have to install the server headers
    # (which may upgrade PostgreSQL under the running servers).
    say "Citus build (via the kit)"
    "$KIT/build.sh"

    port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
    if [ -z "${CITUS_BASEPORT:-}" ]; then
        for p in $(seq 19700 10 19990); do
            if port_free "$p" && port_free $((p + 1)) && port_free $((p + 2)); then CITUS_BASEPORT=$p; break; fi
        done
        [ -n "${CITUS_BASEPORT:-}" ] || { echo "test-citus: no free port triple in 19700-19992; set CITUS_BASEPORT" >&2; exit 1; }
    fi
    DIR=$(mktemp -d /tmp/pareto-citus.XXXXXX)
    chmod 755 "$DIR"
    down() { "$KIT/cluster.sh" down "$DIR/c" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
    trap down EXIT
    say "cluster up in $DIR on ports $CITUS_BASEPORT-$((CITUS_BASEPORT + 2))"
    CITUS_DB=pareto "$KIT/cluster.sh" up "$DIR/c" "$CITUS_BASEPORT" >"$DIR/up.log" 2>&1 ||
        { cat "$DIR/up.log" >&2; exit 1; }
    # shellcheck disable=SC1091
    . "$DIR/c/cluster.env"
    export TEST_CITUS_URL=$CITUS_URL
fi

export TEST_CITUS_SHARDS=${TEST_CITUS_SHARDS:-4}

# Every package whose tests import the test-database helper.
mapfile -t pkgs < <(go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
    awk '/pareto\/internal\/db\/dbtest/ && $1 != "pareto/internal/db/dbtest" {print $1}')
known=$(grep -rn --include='*_test.go' 'dbtest.KnownCitusFailure(t' internal cmd 2>/dev/null | sed -E 's/^([^:]+:[0-9]+):.*KnownCitusFailure\(t, "(.*)"\).*/  \1: \2/' || true)
if [ -n "$known" ]; then
    echo "test-citus: KNOWN FAILURES on Citus, skipped there until fixed:"
    echo "$known"
fi
say "go test on Citus ($TEST_CITUS_URL): ${pkgs[*]}"
# shellcheck disable=SC2086
go test -count=1 -p 2 -timeout 30m ${GOTESTFLAGS:-} "${pkgs[@]}"
say "passed"
