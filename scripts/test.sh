#!/usr/bin/env bash
# Runs every test: installs what is missing, then two lanes at once. The lab lane runs the
# end-to-end, lab and activity files, two at a time (STEWARD_TEST_CONCURRENCY), longest first; the
# light lane runs the workflow, replay, unit and static files one at a time beside it. Ends with
# the closing line `N passed, N failed`; test-results/durations.txt has each file's wall time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh

find_tests() { for dir in "$@"; do find "test/$dir" -name '*.test.ts' 2>/dev/null | sort || true; done; }
mapfile -t lab_files < <(find_tests e2e lab activities)
mapfile -t light_files < <(find_tests workflows replay unit static)
if [ $# -gt 0 ]; then lab_files=("$@") light_files=(); fi

mkdir -p test-results
# One workflow bundle for every worker the tests start, instead of one bundling per worker start.
node --import tsx scripts/build/bundle-workflows.ts test-results >/dev/null
export STEWARD_WORKFLOW_BUNDLE="$root/test-results/workflow-bundle.js"
rm -f test-results/file-times.txt test-results/*-summary.txt test-results/light.log
runner() { node --import tsx --import ./test/support/file-timer.mjs test/support/runner.mjs "$@"; }
status=0
# Lab and end-to-end files spend most of their time waiting on real servers (rolls, timers,
# kubelet restarts), and every lab runs on free ports of its own; the light lane's output is
# printed after the lab lane's.
light_pid=
if [ ${#light_files[@]} -gt 0 ]; then
  runner test-results/light-summary.txt 1 "${light_files[@]}" >test-results/light.log 2>&1 &
  light_pid=$!
fi
runner test-results/lab-summary.txt "${STEWARD_TEST_CONCURRENCY:-2}" "${lab_files[@]}" || status=$?
if [ -n "$light_pid" ]; then
  wait "$light_pid" || status=$?
  cat test-results/light.log
fi
for lane in lab ${light_pid:+light}; do
  # A lane that died before its summary counts as a failure.
  [ -f "test-results/$lane-summary.txt" ] || echo "0 1" >"test-results/$lane-summary.txt"
done
sort -rn test-results/file-times.txt >test-results/durations.txt
echo "slowest test files (all in test-results/durations.txt):"
head -15 test-results/durations.txt
cat test-results/*-summary.txt | awk '{ p += $1; f += $2 } END { printf "%d passed, %d failed\n", p, f }' |
  tee test-results/summary.txt
exit "$status"
