#!/usr/bin/env bash
# The embedded default: set up, bring Steward up (Temporal dev server, the lab, a worker), then the
# flagship: a Kubernetes upgrade of the lab (3 control-plane nodes, 6 workers, 2 GPU workers) from
# 1.31 to 1.32, watched live per node. It stops where an operator must decide (a bare pod on
# worker-3 that nothing re-creates), and the demo answers as one would. Everything stays up.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup/install.sh
bin/steward up
steward() { bin/steward "$@"; }
kubectl() { command kubectl --kubeconfig .steward/lab/kubeconfig "$@"; }
upgrade=(k8s-upgrade lab --to 1.32 --max-unavailable 2)

echo
echo "Demo: upgrade the lab to Kubernetes 1.32: control plane first, then the workers two at a time,"
echo "each drained (PodDisruptionBudgets respected), upgraded by a Job, its GPUs checked back, uncordoned."
steward "${upgrade[@]}" --dry-run
started=$(date +%s)
steward "${upgrade[@]}" --pause 5s --detach
until steward watch k8s-upgrade/lab --until-wait; do
  [ $? -eq 3 ] || exit 1
  # The wait names the child that asks; the demo plays the operator for the one it expects.
  status=$(steward status k8s-upgrade/lab -o json || true) # exit 3: it waits
  waiting=$(node -e 'const s=JSON.parse(require("fs").readFileSync(0));for(const w of s.report.waiting)console.log(w.workflowId+"\t"+w.reason.replace(/\n/g," "))' <<<"$status")
  echo "$waiting"
  grep -q 'default/debug' <<<"$waiting" || { echo "an unexpected wait: answer it with steward decide"; exit 3; }
  echo
  echo "As the operator: default/debug is a bare pod nobody needs; delete it and let the drain retry."
  kubectl delete pod -n default debug --wait=false
  steward decide "$(cut -f1 <<<"$waiting" | head -1)" retry --note "demo: removed the bare debug pod"
done
echo
echo "The upgrade took $(($(date +%s) - started)) s."
echo "Steward stays up. Open http://127.0.0.1:8233 and the workflow k8s-upgrade/lab: its details say"
echo "what it did per node, each node's child (k8s-upgrade/lab/<node>/v1.32.x) its steps, and the"
echo "history the operator's decision. 'bin/steward list --all' lists them; 'bin/steward down' stops all."
