// kubernetesUpgrade: the cluster one minor at a time, each step the control plane one node at a
// time, then the workers in a rolling window within maxUnavailable, then the step's add-ons.
// Every node is named in the cluster lease before it is disrupted, and is an upgradeNode child;
// the run continues as new with no node in flight once its history grows.
import { allHandlersFinished, condition, continueAsNew } from '@temporalio/workflow';
import {
  workflowIds,
  type ApprovalPoint,
  type KubernetesUpgradeCarried,
  type KubernetesUpgradeInput,
  type KubernetesUpgradeResult,
  type KubernetesUpgradeStatus,
  type UpgradePlan,
  type UpgradeStep,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { Rollout } from './kubernetes-upgrade-rollout';
import { workersInWindow } from './kubernetes-upgrade-workers';
import {
  kubernetesLocal as k8s,
  kubernetesFewAttempts as fewAttempts,
} from './operation/activity-profiles';
import { historyFull } from './operation/history';
import { requireWorkflowId } from './operation/workflow-id';
import { describeAddonStep } from './policy/addon-description';
import { nextControlPlaneNode } from './policy/worker-batches';
import { parseUpgradeInput, planUpgrade } from './policy/upgrade-plan';
import { migrateToTigeraOperator } from './tigera-migration';

export function kubernetesUpgrade(
  rawInput: KubernetesUpgradeInput,
  carried?: KubernetesUpgradeCarried,
): Promise<KubernetesUpgradeResult> {
  return withClusterLease((lease) => upgradeCluster(rawInput, carried, lease));
}

const newStatus = (cluster: string): KubernetesUpgradeStatus => ({
  cluster,
  phase: 'planning',
  inFlight: [],
  upgraded: [],
  skipped: [],
  excluded: [],
  leftCordoned: [],
  addonsApplied: [],
  addonsSkipped: [],
  approved: [],
  waiting: [],
  decisions: [],
});

async function upgradeCluster(
  rawInput: KubernetesUpgradeInput,
  carried: KubernetesUpgradeCarried | undefined,
  lease: ClusterLease,
): Promise<KubernetesUpgradeResult> {
  const input = parseUpgradeInput(rawInput);
  const { cluster } = input;
  requireWorkflowId(workflowIds.upgrade(cluster), 'one upgrade runs per cluster', {
    schedules: true,
  });
  const rollout = new Rollout(carried?.status ?? newStatus(cluster), input, lease);
  rollout.show();
  const facts = await surfaceInvalidInput(
    fewAttempts.readUpgradeFacts({ cluster, nodes: input.nodes }),
  );
  // Read, not compiled in: a new release list never changes how a running upgrade replays.
  const plan = planUpgrade(input, facts, await k8s.readKubernetesReleases());
  await lease.take(cluster, 'kubernetes-upgrade', [], plan.maxUnavailable);
  rollout.status.excluded = plan.excluded;
  const limit = carried?.continueAsNewAfterEvents;
  const continueAsNewDue = () => historyFull(limit);
  rollout.onIdle = async () => {
    if (!continueAsNewDue()) return;
    await condition(allHandlersFinished);
    const status = rollout.snapshot();
    await continueAsNew<typeof kubernetesUpgrade>(rawInput, {
      status: { ...status, waiting: [], waitingReason: undefined },
      continueAsNewAfterEvents: limit,
    });
  };

  for (const step of plan.steps) {
    const stopped = await upgradeStep(rollout, plan, step, continueAsNewDue);
    if (stopped) return end(rollout, 'aborted', `${stopped}; ${counts(rollout.status)}`);
  }
  const s = rollout.status;
  const at = plan.steps.at(-1)?.version ?? plan.controlPlaneVersion;
  const addons = s.addonsApplied.length > 0 ? `; add-ons: ${s.addonsApplied.join(', ')}` : '';
  return end(rollout, 'done', `${cluster} at ${at}: ${counts(s)}${addons}`);
}

/** One version step: control plane, workers, add-ons; why it stopped, if it did. */
async function upgradeStep(
  rollout: Rollout,
  plan: UpgradePlan,
  step: UpgradeStep,
  continueAsNewDue: () => boolean,
): Promise<string | undefined> {
  const s = rollout.status;
  const { version } = step;
  s.version = version;
  const behind = plan.controlPlaneOrder.filter((n) => rollout.skippedNode(n));
  if (behind.length > 0) {
    return `stopped before ${version}: control-plane node(s) ${behind.join(', ')} were skipped and must be upgraded first`;
  }
  if (!(await approved(rollout, plan.approvalPoints, 'before-each-step', `before ${version}`))) {
    return `aborted by an operator before ${version}`;
  }
  s.phase = 'control-plane';
  const aborted = await controlPlane(rollout, version);
  if (aborted) return aborted;
  if (
    !(await approved(rollout, plan.approvalPoints, 'before-workers', `before ${version} workers`))
  ) {
    return `aborted by an operator before the workers of ${version}`;
  }
  s.phase = 'workers';
  const abort = await workersInWindow(rollout, version, plan.maxUnavailable, continueAsNewDue);
  if (abort) return `aborted at ${abort.node} (${abort.message})`;
  s.blockedBy = undefined;
  s.phase = 'addons';
  for (const addon of step.addons) {
    const what = `${version}: ${describeAddonStep(addon)}`;
    if (s.addonsApplied.includes(what) || s.addonsSkipped.includes(what)) continue;
    const run = async () => {
      if (addon.kind === 'tigera-operator-migration') {
        return migrateToTigeraOperator(s.cluster, rollout.input.stepTimeoutSeconds);
      }
      await fewAttempts.applyAddonStep({ cluster: s.cluster, step: addon });
      return undefined;
    };
    const ended = await rollout.runStep(`add-on ${what}`, run);
    if (ended === 'abort') return `aborted at add-on ${describeAddonStep(addon)}`;
    (ended === 'done' ? s.addonsApplied : s.addonsSkipped).push(what);
    rollout.show();
  }
  return undefined;
}

/** The control-plane nodes one at a time, each once every other is Ready; why it stopped. */
async function controlPlane(rollout: Rollout, version: string): Promise<string | undefined> {
  const s = rollout.status;
  for (;;) {
    const facts = await k8s.readUpgradeFacts({ cluster: s.cluster, nodes: rollout.input.nodes });
    const nodes = rollout.states(facts.nodes, version, true);
    if (nodes.every((n) => n.done)) return undefined;
    const next = nextControlPlaneNode(nodes);
    const node = next.nodes[0];
    const refused = node === undefined ? next.waitingFor : await rollout.claim(node);
    if (node === undefined || refused) {
      await rollout.blocked(refused);
      continue;
    }
    s.blockedBy = undefined;
    if (rollout.windowClosedNow()) {
      await rollout.lease.letGoOfNode(node);
      // The facts may be old once the window opens: read them again.
      await rollout.sleepUntilWindow();
      continue;
    }
    const kubeadm = facts.controlPlaneVersion === version ? 'node' : 'apply';
    const result = await rollout.upgrade(node, version, kubeadm);
    if (result.outcome === 'aborted') return `aborted at ${result.node} (${result.message})`;
  }
}

/** Waits for `approve` at an approval point the input asked for; false when aborted. */
async function approved(
  rollout: Rollout,
  points: ApprovalPoint[],
  point: ApprovalPoint,
  what: string,
): Promise<boolean> {
  const s = rollout.status;
  if (!points.includes(point) || s.approved.includes(what)) return true;
  const phase = s.phase;
  s.phase = 'waiting-for-approval';
  const { decision } = await rollout.ask(`approval ${what}`, ['approve', 'abort']);
  s.phase = phase;
  if (decision !== 'approve') return false;
  s.approved.push(what);
  rollout.show();
  return true;
}

const counts = (s: KubernetesUpgradeStatus) =>
  `upgraded ${s.upgraded.length}, skipped ${s.skipped.length}` +
  (s.addonsSkipped.length > 0 ? `, add-on steps skipped ${s.addonsSkipped.length}` : '');

function end(
  rollout: Rollout,
  phase: 'done' | 'aborted',
  message: string,
): KubernetesUpgradeResult {
  rollout.status.phase = phase;
  rollout.show();
  return { ...rollout.snapshot(), message };
}
