// kubernetesUpgrade: the cluster one minor at a time; in each step the control plane first, one
// node at a time, then the workers in batches that never exceed maxUnavailable (NotReady workers
// count), then the step's add-ons. Each node is an upgradeNode child, and the run continues as new
// between batches once its history grows, so no history grows with the cluster.
// A node whose child ends aborted stops the rollout; a skipped node is reported and left behind.
import {
  allHandlersFinished,
  ActivityFailure,
  condition,
  continueAsNew,
  executeChild,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  kubernetes as k8s,
  kubernetesFewAttempts as k8sFewAttempts,
  kubernetesLocal as k8sLocal,
} from './operation/activity-profiles';
import {
  invalidInput,
  isRunOf,
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type ApprovalPoint,
  type KubernetesUpgradeCarried,
  type KubernetesUpgradeInput,
  type KubernetesUpgradeResult,
  type KubernetesUpgradeStatus,
  type UpgradeNodeResult,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { upgradeNode } from './node-upgrade';
import { countNodeDone, setRolloutNodes, setWaitingForWindow } from './metrics';
import { OperatorGate, trackOperatorWaits } from './operation/operator-gate';
import { describeAddonStep } from './policy/addon-description';
import type { AddonStep } from './policy/addon-steps';
import { nextControlPlaneNode, nextWorkerBatch, type NodeState } from './policy/worker-batches';
import { parseUpgradeInput, planUpgrade, type ClusterFacts } from './policy/upgrade-plan';
import { announce, bulletList, showPhase } from './operation/visibility';
import { untilWindowOpens, windowClosed } from './window-wait';

const WAIT_FOR_READY_SECONDS = 10;
const CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;
/** Runs that started before these patches read the facts twice per control-plane node ... */
const ONE_READ_PER_CONTROL_PLANE_NODE = 'one-read-per-control-plane-node';
/** ... and upgraded the workers in lock-step batches, each as long as its slowest node ... */
const ROLLING_WORKER_WINDOW = 'rolling-worker-window';
/** ... and read the facts between nodes in an activity, a round trip through the server. */
const LOCAL_FACTS_BETWEEN_NODES = 'local-facts-between-nodes';

export function kubernetesUpgrade(
  rawInput: KubernetesUpgradeInput,
  carried?: KubernetesUpgradeCarried,
): Promise<KubernetesUpgradeResult> {
  return withClusterLease((lease) => upgradeCluster(rawInput, carried, lease));
}

async function upgradeCluster(
  rawInput: KubernetesUpgradeInput,
  carried: KubernetesUpgradeCarried | undefined,
  lease: ClusterLease,
): Promise<KubernetesUpgradeResult> {
  const input = parseUpgradeInput(rawInput);
  const { cluster } = input;
  const expectedId = workflowIds.upgrade(cluster);
  if (!isRunOf(workflowInfo().workflowId, expectedId)) {
    throw invalidInput(
      'workflowId',
      `must be "${expectedId}" (or a Schedule's run of it) so that one upgrade runs per cluster`,
    );
  }
  const gate = new OperatorGate();
  const status: KubernetesUpgradeStatus = carried?.status ?? {
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
  };
  status.waiting = [];
  const childWaits = status.waiting;
  const snapshot = (): KubernetesUpgradeStatus => ({
    ...status,
    waiting: [...(gate.current ? [gate.current] : []), ...childWaits],
    decisions: [...status.decisions, ...gate.decisions],
  });
  setHandler(kubernetesUpgradeStatusQuery, snapshot);
  announce('k8s-upgrade', cluster, input.target);
  const show = () => {
    const { waiting } = snapshot();
    setRolloutNodes({ inFlight: status.inFlight.length, waiting: childWaits.length });
    setWaitingForWindow(status.waitingForWindow !== undefined);
    showPhase(
      waiting.length > 0 ? 'waiting-for-operator' : status.phase,
      [
        `**Kubernetes upgrade of ${cluster} to ${input.target}**: ${status.phase}${status.version ? ` (step ${status.version})` : ''}`,
        `In flight: ${status.inFlight.join(', ') || 'none'} · upgraded ${status.upgraded.length} · skipped ${status.skipped.length}`,
        waiting.length > 0
          ? `Waiting for an operator (\`steward decide ID …\`):\n${bulletList(waiting.map((w) => `${w.workflowId}: ${w.reason}`))}`
          : '',
        status.skipped.length > 0 ? `Skipped:\n${bulletList(status.skipped)}` : '',
        status.leftCordoned.length > 0 ? `Left cordoned: ${status.leftCordoned.join(', ')}` : '',
        status.blockedBy ? `Waiting for the cluster: ${status.blockedBy}` : '',
        status.waitingForWindow
          ? `Waiting for the maintenance window: ${status.waitingForWindow}`
          : '',
      ].join('\n'),
    );
  };
  trackOperatorWaits(childWaits, show);
  show();

  const plan = planUpgrade(
    input,
    await surfaceInvalidInput(k8s.readUpgradeFacts({ cluster, nodes: input.nodes })),
  );
  await lease.take(cluster, 'kubernetes-upgrade', [], plan.maxUnavailable);
  status.excluded = plan.excluded;
  const skippedNode = (name: string) => status.skipped.some((s) => s.startsWith(`${name}@`));

  const end = (phase: 'done' | 'aborted', message: string): KubernetesUpgradeResult => {
    status.phase = phase;
    show();
    return { ...snapshot(), message };
  };
  const counts = () =>
    `upgraded ${status.upgraded.length}, skipped ${status.skipped.length}` +
    (status.addonsSkipped.length > 0
      ? `, add-on steps skipped ${status.addonsSkipped.length}`
      : '');

  /** Waits for `approve` at an approval point the input asked for; false when aborted. */
  async function approved(point: ApprovalPoint, what: string): Promise<boolean> {
    if (!plan.approvalPoints.includes(point) || status.approved.includes(what)) return true;
    const phase = status.phase;
    status.phase = 'waiting-for-approval';
    const waiting = gate.wait(`approval ${what}`, ['approve', 'abort']);
    show();
    const { decision } = await waiting;
    status.phase = phase;
    if (decision !== 'approve') return false;
    status.approved.push(what);
    show();
    return true;
  }

  async function upgrade(
    node: string,
    version: string,
    kubeadm: 'apply' | 'node',
  ): Promise<UpgradeNodeResult> {
    status.inFlight.push(node);
    show();
    const result = await executeChild(upgradeNode, {
      workflowId: workflowIds.upgradeNode(cluster, node, version),
      args: [
        {
          cluster,
          node,
          version,
          kubeadm,
          image: input.image,
          drainTimeoutSeconds: input.drainTimeoutSeconds,
          pauseSeconds: input.pauseSeconds,
          stepTimeoutSeconds: input.stepTimeoutSeconds,
          devicePlugin: input.devicePlugin,
        },
      ],
    });
    status.inFlight = status.inFlight.filter((n) => n !== node);
    // A child's last "wait ended" signal may arrive after its result.
    const below = [
      workflowIds.upgradeNode(cluster, node, version),
      workflowIds.drain(cluster, node),
    ];
    childWaits.splice(
      0,
      childWaits.length,
      ...childWaits.filter((w) => !below.includes(w.workflowId)),
    );
    (result.outcome === 'upgraded' ? status.upgraded : status.skipped).push(`${node}@${version}`);
    countNodeDone(result.outcome);
    if (result.outcome !== 'upgraded' && result.cordonedBySteward) status.leftCordoned.push(node);
    show();
    return result;
  }

  /** Nodes at the step's version, skipped earlier or excluded are done. */
  const toStates = (nodes: ClusterFacts['nodes'], version: string, controlPlane: boolean) =>
    nodes
      .filter((n) => n.controlPlane === controlPlane)
      .map((n): NodeState => ({
        name: n.name,
        ready: n.ready,
        done: n.kubeletVersion === version || skippedNode(n.name) || (!controlPlane && !n.selected),
      }));

  /** Fresh facts every time: the states of the control-plane nodes or the workers. */
  async function states(version: string, controlPlane: boolean) {
    const calls = patched(LOCAL_FACTS_BETWEEN_NODES) ? k8sLocal : k8s;
    const facts = await calls.readUpgradeFacts({ cluster, nodes: input.nodes });
    return { facts, nodes: toStates(facts.nodes, version, controlPlane) };
  }

  /** Shows why no node can start and checks again in a while. */
  async function blocked(reason: string | undefined): Promise<void> {
    if (status.blockedBy !== reason) {
      status.blockedBy = reason;
      show();
    }
    await sleep(`${WAIT_FOR_READY_SECONDS} seconds`);
  }

  /** Shows why no node starts while the window is closed; false when it is open. */
  function showWindow(closed: string | undefined): boolean {
    const inFlight = closed && status.inFlight.length > 0;
    const waiting = inFlight ? `${closed}; the nodes in flight finish first` : closed;
    if (status.waitingForWindow !== waiting) {
      status.waitingForWindow = waiting;
      show();
    }
    return closed !== undefined;
  }
  const windowClosedNow = () => showWindow(windowClosed(input.window));

  /** With no node in flight: sleeps until the maintenance window opens. */
  async function sleepUntilWindow(): Promise<void> {
    const phase = status.phase;
    status.phase = 'waiting-for-window';
    show();
    await untilWindowOpens(input.window, showWindow);
    status.phase = phase;
    show();
  }

  /** Applies one add-on step; a failure waits for the operator. False when aborted. */
  async function applyAddon(version: string, step: AddonStep): Promise<boolean> {
    const what = `${version}: ${describeAddonStep(step)}`;
    if (status.addonsApplied.includes(what)) return true;
    for (;;) {
      try {
        await k8sFewAttempts.applyAddonStep({ cluster, step });
        status.addonsApplied.push(what);
        show();
        return true;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const waiting = gate.wait(`add-on ${what}: ${err.cause?.message ?? err.message}`);
        show();
        const { decision } = await waiting;
        if (decision === 'abort') return false;
        if (decision === 'skip') {
          status.addonsSkipped.push(what);
          show();
          return true;
        }
      }
    }
  }

  /** Batches (or, in a rolling window, workers) this run started. */
  let startsThisRun = 0;
  /**
   * Once the history has grown, with no worker in flight (a child would end with this run): the
   * next run re-plans from the cluster. Each run starts workers first, so continuing as new never
   * loops without progress.
   */
  function continueAsNewDue(): boolean {
    const info = workflowInfo();
    const limit = carried?.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
    return startsThisRun > 0 && (info.continueAsNewSuggested || info.historyLength >= limit);
  }
  async function continueAsNewNow(): Promise<never> {
    await condition(allHandlersFinished);
    status.decisions.push(...gate.decisions);
    return continueAsNew<typeof kubernetesUpgrade>(rawInput, {
      status: { ...status, waiting: [] },
      continueAsNewAfterEvents: carried?.continueAsNewAfterEvents,
    });
  }

  /** Lock-step batches, as runs before patch rolling-worker-window did; the aborting node's result. */
  async function workersInBatches(version: string): Promise<UpgradeNodeResult | undefined> {
    for (;;) {
      const { nodes } = await states(version, false);
      if (nodes.every((n) => n.done)) return undefined;
      const batch = nextWorkerBatch(nodes, plan.maxUnavailable);
      if (batch.nodes.length === 0) {
        await blocked(batch.waitingFor);
        continue;
      }
      status.blockedBy = undefined;
      // Only with workers of this step left, so the next run plans this step (and its add-ons) again.
      if (continueAsNewDue()) await continueAsNewNow();
      startsThisRun++;
      const results = await Promise.all(batch.nodes.map((node) => upgrade(node, version, 'node')));
      const abort = results.find((r) => r.outcome === 'aborted');
      if (abort) return abort;
    }
  }

  /**
   * A rolling window, as kured and the system-upgrade-controller roll: whenever a worker finishes,
   * the next ones start as far as the bound allows, so no worker waits for a batch's slowest node.
   * Each refill reads only the NotReady workers and the candidates, so the history does not grow
   * with the cluster. No new worker starts while a node waits for an operator, once one was
   * aborted (the rest finish, then the rollout stops), or when the run should continue as new
   * (it does once the window is empty). Returns the aborting node's result.
   */
  async function workersInWindow(version: string): Promise<UpgradeNodeResult | undefined> {
    let finished = 0;
    let aborted: UpgradeNodeResult | undefined;
    let failed: { error: unknown } | undefined;
    const start = (node: string) => {
      startsThisRun++;
      void upgrade(node, version, 'node').then(
        (result) => {
          if (result.outcome === 'aborted') aborted ??= result;
          finished++;
        },
        (error: unknown) => {
          failed ??= { error };
          finished++;
        },
      );
    };
    const skippedNames = () => status.skipped.map((s) => s.split('@')[0]);
    for (;;) {
      const inFlight = status.inFlight.length;
      const draining = aborted !== undefined || (inFlight > 0 && continueAsNewDue());
      const operatorAsked = inFlight > 0 && childWaits.length > 0;
      const closed = windowClosedNow();
      let waitingFor: string | undefined;
      if (!draining && !operatorAsked && !closed && inFlight < plan.maxUnavailable) {
        const window = await k8sLocal.readWorkerWindow({
          cluster,
          nodes: input.nodes,
          version,
          exclude: [...status.inFlight, ...skippedNames()],
          limit: plan.maxUnavailable - status.inFlight.length,
        });
        const nodes = toStates(window, version, false);
        if (status.inFlight.length === 0 && nodes.every((n) => n.done)) return undefined;
        // Only with workers of this step left, so the next run plans this step (and its add-ons) again.
        if (status.inFlight.length === 0 && continueAsNewDue()) await continueAsNewNow();
        const next = nextWorkerBatch(nodes, plan.maxUnavailable, status.inFlight);
        next.nodes.forEach(start);
        waitingFor = next.waitingFor;
      }
      if (status.inFlight.length === 0) {
        if (aborted) return aborted;
        if (closed) await sleepUntilWindow();
        else await blocked(waitingFor);
        continue;
      }
      if (status.blockedBy !== waitingFor) {
        status.blockedBy = waitingFor;
        show();
      }
      const seen = finished;
      const woken = () =>
        finished !== seen || failed !== undefined || (operatorAsked && childWaits.length === 0);
      // A NotReady worker that returns frees room without any worker finishing.
      if (waitingFor) await condition(woken, `${WAIT_FOR_READY_SECONDS} seconds`);
      else await condition(woken);
      if (failed) throw failed.error;
    }
  }

  for (const step of plan.steps) {
    status.version = step.version;
    const behind = plan.controlPlaneOrder.filter(skippedNode);
    if (behind.length > 0) {
      return end(
        'aborted',
        `stopped before ${step.version}: control-plane node(s) ${behind.join(', ')} were skipped and must be upgraded first; ${counts()}`,
      );
    }
    if (!(await approved('before-each-step', `before ${step.version}`))) {
      return end('aborted', `aborted by an operator before ${step.version}; ${counts()}`);
    }
    status.phase = 'control-plane';
    for (;;) {
      const { facts, nodes } = await states(step.version, true);
      if (nodes.every((n) => n.done)) break;
      const next = nextControlPlaneNode(nodes);
      if (next.nodes.length === 0) {
        await blocked(next.waitingFor);
        continue;
      }
      status.blockedBy = undefined;
      if (windowClosedNow()) {
        // The facts may be old once the window opens: read them again.
        await sleepUntilWindow();
        continue;
      }
      const kubeadmAt = patched(ONE_READ_PER_CONTROL_PLANE_NODE)
        ? facts.controlPlaneVersion
        : (await k8s.readUpgradeFacts({ cluster })).controlPlaneVersion;
      const kubeadm = kubeadmAt === step.version ? 'node' : 'apply';
      const result = await upgrade(next.nodes[0], step.version, kubeadm);
      if (result.outcome === 'aborted') {
        return end('aborted', `aborted at ${result.node} (${result.message}); ${counts()}`);
      }
    }
    if (!(await approved('before-workers', `before ${step.version} workers`))) {
      return end(
        'aborted',
        `aborted by an operator before the workers of ${step.version}; ${counts()}`,
      );
    }
    status.phase = 'workers';
    const abort = patched(ROLLING_WORKER_WINDOW)
      ? await workersInWindow(step.version)
      : await workersInBatches(step.version);
    if (abort) return end('aborted', `aborted at ${abort.node} (${abort.message}); ${counts()}`);
    status.blockedBy = undefined;
    status.phase = 'addons';
    for (const addon of step.addons) {
      if (!(await applyAddon(step.version, addon))) {
        return end('aborted', `aborted at add-on ${describeAddonStep(addon)}; ${counts()}`);
      }
    }
  }
  return end(
    'done',
    `${cluster} at ${plan.steps.at(-1)?.version ?? plan.controlPlaneVersion}: ${counts()}` +
      (status.addonsApplied.length > 0 ? `; add-ons: ${status.addonsApplied.join(', ')}` : ''),
  );
}
