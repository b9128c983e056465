#!/usr/bin/env bash
# Fails when a hand-written Go file groups its imports in `import ( … )`.
# We write one `import "path"` per line (groups kept by blank lines): the
# duplicates report we use to find repeated code passes over import lines,
# but reads the lines inside a grouped block as code, so two files that
# import the same six packages were reported as a repeated piece of code
# (137 of its 200 pairs on 2026-12-06). See docs/architecture.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(git ls-files '*.go' | grep -v '_templ\.go$' | xargs grep -l '^import ($' || true)
if [ -n "$out" ]; then
  echo "grouped import block; write one import per line (python3 scripts/ungroup-imports.py FILE):"
  echo "$out"
  exit 1
fi
