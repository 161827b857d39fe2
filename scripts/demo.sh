#!/usr/bin/env bash
# The embedded default: set up, bring Steward up (Temporal dev server, the lab, a worker), drain a
# lab worker through the CLI, and leave everything running to explore. `bin/steward down` stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh
bin/steward up
echo
echo "Demo: drain worker-1 (PodDisruptionBudgets respected; emptyDir data of the cache is disposable)"
bin/steward drain worker-1 --delete-emptydir-data
echo
echo "Steward stays up. Open http://127.0.0.1:8233 to see the drain; 'bin/steward uncordon worker-1' returns"
echo "the node to service; 'bin/steward down' stops everything."
