#!/usr/bin/env bash
# The embedded default: set up, bring Steward up (Temporal dev server, the lab, a worker), then the
# flagship: a Kubernetes upgrade of the lab (3 control-plane nodes, 6 workers, 2 GPU workers) from
# 1.31 to 1.32, watched live per node. Everything stays up to explore; `bin/steward down` stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh
bin/steward up
echo
echo "Demo: upgrade the lab to Kubernetes 1.32: control plane first, then the workers two at a time,"
echo "each drained (PodDisruptionBudgets respected), upgraded by a Job, its GPUs checked back, uncordoned."
bin/steward k8s-upgrade lab --to 1.32 --dry-run
started=$(date +%s)
bin/steward k8s-upgrade lab --to 1.32 --max-unavailable 2 --pause 5s
echo
echo "The upgrade took $(($(date +%s) - started)) s."
echo "Steward stays up. Open http://127.0.0.1:8233 and the workflow k8s-upgrade/lab: its details say"
echo "what it did per node, and each node's child (k8s-upgrade/lab/<node>/v1.32.x) its steps."
echo "'bin/steward list --all' lists the operations; 'bin/steward down' stops everything."
