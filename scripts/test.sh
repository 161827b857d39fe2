#!/usr/bin/env bash
# Runs every test: installs what is missing, then end-to-end, lab, activity, workflow, replay,
# unit and static tests, longest first so that the two lanes end together. Ends with the closing
# line `N passed, N failed`; test-results/durations.txt has each file's wall time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh

files=()
for dir in e2e lab activities workflows replay unit static; do
  while IFS= read -r f; do files+=("$f"); done < <(find "test/$dir" -name '*.test.ts' 2>/dev/null | sort)
done
[ $# -gt 0 ] && files=("$@")

mkdir -p test-results
# One workflow bundle for every worker the tests start, instead of one bundling per worker start.
node --import tsx scripts/build/bundle-workflows.ts test-results >/dev/null
export STEWARD_WORKFLOW_BUNDLE="$root/test-results/workflow-bundle.js"
rm -f test-results/file-times.txt
status=0
# Two test files at a time, in the order above (test/support/runner.mjs): lab and end-to-end
# files spend most of their time waiting on real servers (rolls, timers, kubelet restarts), and
# every lab runs on free ports of its own. STEWARD_TEST_CONCURRENCY=1 runs them one by one.
node --import tsx --import ./test/support/file-timer.mjs test/support/runner.mjs "${files[@]}" ||
  status=$?
sort -rn test-results/file-times.txt >test-results/durations.txt
echo "slowest test files (all in test-results/durations.txt):"
head -15 test-results/durations.txt
cat test-results/summary.txt
exit "$status"
