// Human-readable text for plans, progress and results.
import type {
  DrainNodeResult,
  DrainPlan,
  DrainStatus,
  PodVerdict,
  UpgradePlan,
} from '../../workflows/api';
import type { AddonStep } from '../../workflows/policy/addon-steps';

const pod = (v: { pod: { namespace: string; name: string } }) => `${v.pod.namespace}/${v.pod.name}`;
const verdicts = (title: string, list: PodVerdict[]) =>
  list.length === 0
    ? []
    : [`${title} (${list.length}):`, ...list.map((v) => `  ${pod(v)}: ${v.reason}`)];

export function renderPlan(plan: DrainPlan): string {
  return [
    `Drain plan for ${plan.cluster}/${plan.node} (nothing changed)${plan.alreadyCordoned ? '; the node is already cordoned' : ''}`,
    ...verdicts('evict', plan.evict),
    ...verdicts('skip', plan.skip),
    ...verdicts('refuse', plan.refuse),
    plan.refuse.length > 0
      ? 'The drain would be refused until the pods above are allowed (--force, --delete-emptydir-data) or gone.'
      : `The drain would evict ${plan.evict.length} pods.`,
  ].join('\n');
}

export function renderDrainStatus(status: DrainStatus): string {
  const lines = [
    `${status.cluster}/${status.node}: ${status.phase}; evicted ${status.evicted.length}, left ${status.left.length}; ` +
      (status.cordonedBySteward ? 'cordoned by Steward' : 'not cordoned by Steward'),
  ];
  if (status.waitingReason) lines.push(`waiting for an operator: ${status.waitingReason}`);
  for (const left of status.left.slice(0, 20)) lines.push(`  ${pod(left)}: ${left.blocker}`);
  if (status.left.length > 20) lines.push(`  … and ${status.left.length - 20} more`);
  return lines.join('\n');
}

export function renderDrainResult(result: DrainNodeResult): string {
  return `${renderDrainStatus(result)}\n${result.message}`;
}

function describeAddon(step: AddonStep): string {
  switch (step.kind) {
    case 'tigera-operator-migration':
      return 'migrate the manifest-based Calico in kube-system to the Tigera operator';
    case 'snapshot-controller':
      return `snapshot-controller ${step.version}${step.removeKubeSystemDeployment ? ' (remove the old kube-system Deployment first)' : ''}`;
    case 'monitoring-crds':
      return `monitoring CRDs of stack major ${step.major} (server-side apply)`;
  }
}

export function renderUpgradePlan(plan: UpgradePlan): string {
  const lines = [
    `Kubernetes upgrade plan for ${plan.cluster} (nothing changed); control plane at ${plan.controlPlaneVersion}`,
  ];
  if (plan.steps.length === 0) lines.push('Already at the target: nothing to do.');
  for (const step of plan.steps) {
    lines.push(`step to ${step.version}:`);
    lines.push(`  control plane, one at a time: ${plan.controlPlaneOrder.join(' → ') || 'none'}`);
    plan.workerBatches.forEach((batch, i) =>
      lines.push(`  workers, batch ${i + 1}: ${batch.join(', ')}`),
    );
    if (plan.workersWaitFor) lines.push(`  workers waiting for: ${plan.workersWaitFor}`);
    for (const addon of step.addons) lines.push(`  add-on: ${describeAddon(addon)}`);
  }
  lines.push(
    `At most ${plan.maxUnavailable} worker(s) unavailable at once, counting NotReady ones.`,
  );
  return lines.join('\n');
}
