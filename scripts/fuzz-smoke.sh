#!/usr/bin/env bash
# A short run of every committed fuzz target (go test -fuzz takes one
# target at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
# A count, not a duration: a timed run can fail with "context deadline
# exceeded" when a loaded machine is slow to stop its fuzz workers.
time_per_target=${FUZZTIME:-5000x}
found=0
while IFS= read -r file; do
  pkg=./$(dirname "$file")
  for fn in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
    found=1
    echo "fuzz $pkg $fn ($time_per_target)"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$time_per_target" "$pkg"
  done
done < <(grep -rlE '^func Fuzz' --include='*_test.go' internal cmd 2>/dev/null || true)
[ "$found" = 1 ] || echo "no fuzz targets"
