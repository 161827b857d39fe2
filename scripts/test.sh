#!/usr/bin/env bash
# Runs every test: installs what is missing, then static checks, unit, workflow, lab, activity,
# end-to-end and replay tests, in that order. Ends with the closing line `N passed, N failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh

files=()
for dir in static unit workflows replay lab activities e2e; do
  while IFS= read -r f; do files+=("$f"); done < <(find "test/$dir" -name '*.test.ts' 2>/dev/null | sort)
done
[ $# -gt 0 ] && files=("$@")

mkdir -p test-results
status=0
node --import tsx --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./test/support/summary-reporter.mjs --test-reporter-destination=test-results/summary.txt \
  "${files[@]}" || status=$?
cat test-results/summary.txt
exit "$status"
