#!/usr/bin/env bash
# Fails when a .templ file is not formatted, without rewriting it
# (templ fmt -fail rewrites; with -stdout it always fails).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp templates/*.templ "$tmp"/
go tool templ fmt "$tmp" >/dev/null 2>&1
status=0
for f in "$tmp"/*.templ; do
  if ! cmp -s "$f" "templates/$(basename "$f")"; then
    echo "templ fmt needed: templates/$(basename "$f") (run make fmt)"; status=1
  fi
done
exit $status
