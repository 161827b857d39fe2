// The state of a Kubernetes upgrade and how it runs one node: the node is named in the upgrade's
// lease before its child starts (a node another operation holds is not started), and a child
// that ends in any way but a result becomes an operator wait for that node alone, so one node's
// failure never fails the rollout and never terminates its other nodes mid-Job.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  CancellationScope,
  CancelledFailure,
  ChildWorkflowFailure,
  executeChild,
  sleep,
  TerminatedFailure,
  TimeoutFailure,
} from '@temporalio/workflow';
import {
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type DecideRequest,
  type KubernetesUpgradeStatus,
  type OperatorDecision,
  type OperatorWait,
  type UpgradeNodeResult,
} from './api';
import type { ClusterLease } from './cluster-lease';
import { countNodeDone } from './metrics';
import { upgradeNode } from './node-upgrade';
import { Operation } from './operation/operation';
import { trackOperatorWaits } from './operation/operator-gate';
import { bulletList } from './operation/visibility';
import type { ClusterFacts, ParsedUpgradeInput } from './policy/upgrade-plan';
import type { NodeState } from './policy/worker-batches';
import { untilWindowOpens, windowClosed } from './window-wait';

const WAIT_FOR_READY_SECONDS = 10;

export class Rollout extends Operation<KubernetesUpgradeStatus> {
  /** This run's own operator waits, one at a time. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    status: KubernetesUpgradeStatus,
    readonly input: ParsedUpgradeInput,
    readonly lease: ClusterLease,
    /** Operator waits reported by the nodes' children and their drains. */
    readonly childWaits: OperatorWait[] = [],
  ) {
    super(status, {
      kind: 'k8s-upgrade',
      cluster: input.cluster,
      target: input.target,
      query: kubernetesUpgradeStatusQuery,
      title: () =>
        `**Kubernetes upgrade of ${input.cluster} to ${input.target}**: ${status.phase}${status.version ? ` (step ${status.version})` : ''}`,
      details: () => rolloutLines(status, childWaits),
      phase: () => (childWaits.length > 0 ? 'waiting-for-operator' : status.phase),
    });
    status.waiting = [];
    trackOperatorWaits(this.childWaits, () => this.show());
  }

  override snapshot(): KubernetesUpgradeStatus {
    const own = this.gate.current;
    return {
      ...super.snapshot(),
      waitingForWindow: this.status.waitingForWindow,
      waiting: [...(own ? [own] : []), ...this.childWaits],
    };
  }

  /** Runs whenever the rollout idles with no node in flight: it may continue as new there. */
  onIdle: () => Promise<void> = async () => undefined;

  /** Shows why no node can start, and checks again in a while. */
  async blocked(reason: string | undefined): Promise<void> {
    if (this.status.blockedBy !== reason) {
      this.status.blockedBy = reason;
      this.show();
    }
    if (this.status.inFlight.length === 0) await this.onIdle();
    await sleep(`${WAIT_FOR_READY_SECONDS} seconds`);
  }

  /** Shows why no node starts while the window is closed; false when it is open. */
  windowClosedNow(): boolean {
    const closed = windowClosed(this.input.window);
    const inFlight = closed && this.status.inFlight.length > 0;
    const waiting = inFlight ? `${closed}; the nodes in flight finish first` : closed;
    this.showWindow(waiting);
    return closed !== undefined;
  }

  private showWindow(waiting: string | undefined): void {
    if (this.status.waitingForWindow === waiting) return;
    this.status.waitingForWindow = waiting;
    this.show();
  }

  /** With no node in flight: sleeps until the maintenance window opens. */
  async sleepUntilWindow(): Promise<void> {
    const phase = this.status.phase;
    this.status.phase = 'waiting-for-window';
    this.show();
    await untilWindowOpens(this.input.window, (waiting) => this.showWindow(waiting));
    this.status.phase = phase;
    this.show();
  }

  /** A node was skipped in this upgrade, at any step. */
  skippedNode(name: string): boolean {
    return this.status.skipped.some((s) => s.startsWith(`${name}@`));
  }

  /** Nodes at the step's version, skipped earlier or excluded are done. */
  states(nodes: ClusterFacts['nodes'], version: string, controlPlane: boolean): NodeState[] {
    return nodes
      .filter((n) => n.controlPlane === controlPlane)
      .map((n) => ({
        name: n.name,
        ready: n.ready,
        done:
          n.kubeletVersion === version ||
          this.skippedNode(n.name) ||
          (!controlPlane && !n.selected),
      }));
  }

  /** Whether an operator is asked anything in this upgrade now. */
  get operatorAsked(): boolean {
    return this.gate.current !== undefined || this.childWaits.length > 0;
  }

  /** Waits for an operator's decision, after any wait of this run asked before it. */
  ask(reason: string, allowed?: OperatorDecision[]): Promise<DecideRequest> {
    const answer = this.turn.then(() => {
      const waiting = this.gate.wait(reason, allowed);
      this.show();
      return waiting;
    });
    this.turn = answer.then(
      () => this.show(),
      () => undefined,
    );
    return answer;
  }

  /** Names the node in the lease; why not when another operation holds it. */
  async claim(node: string): Promise<string | undefined> {
    const decision = await this.lease.holdNode(node);
    return decision.granted ? undefined : `${node} is not free: ${decision.reason}`;
  }

  /** Upgrades a node the lease names, and gives it back; the node's result. */
  async upgrade(
    node: string,
    version: string,
    kubeadm: 'apply' | 'node',
  ): Promise<UpgradeNodeResult> {
    const s = this.status;
    s.inFlight.push(node);
    this.show();
    const result = await this.nodeResult(node, version, kubeadm);
    await this.lease.letGoOfNode(node);
    s.inFlight = s.inFlight.filter((n) => n !== node);
    // A child's last "wait ended" signal may arrive after its result.
    const below = [
      workflowIds.upgradeNode(s.cluster, node, version),
      workflowIds.drain(s.cluster, node),
    ];
    const left = this.childWaits.filter((w) => !below.includes(w.workflowId));
    this.childWaits.splice(0, this.childWaits.length, ...left);
    (result.outcome === 'upgraded' ? s.upgraded : s.skipped).push(`${node}@${version}`);
    countNodeDone(result.outcome);
    if (result.outcome !== 'upgraded' && result.cordonedBySteward) s.leftCordoned.push(node);
    this.show();
    return result;
  }

  /** The child's result; a child that ended otherwise is the operator's to retry, skip or abort. */
  private async nodeResult(
    node: string,
    version: string,
    kubeadm: 'apply' | 'node',
  ): Promise<UpgradeNodeResult> {
    const { cluster, image, drainTimeoutSeconds, pauseSeconds, stepTimeoutSeconds, devicePlugin } =
      this.input;
    const workflowId = workflowIds.upgradeNode(cluster, node, version);
    const args = { cluster, node, version, kubeadm, image, drainTimeoutSeconds, pauseSeconds };
    for (;;) {
      try {
        return await executeChild(upgradeNode, {
          workflowId,
          staticSummary: `Upgrade node ${node} of ${cluster} to ${version} (kubeadm upgrade ${kubeadm})`,
          args: [{ ...args, stepTimeoutSeconds, devicePlugin }],
        });
      } catch (err) {
        const how = `${node}: ${workflowId} ${childEnd(err)}`;
        const { decision } = await this.ask(how);
        if (decision === 'retry') continue;
        const outcome = decision === 'skip' ? 'skipped' : 'aborted';
        const message = `${how}; ${outcome} by an operator, it may be left cordoned`;
        const unknown = { step: 'drain' as const, cordonedBySteward: false, decisions: [] };
        return { node, version, ...unknown, outcome, message };
      }
    }
  }
}

/** The details' lines below the title. */
function rolloutLines(s: KubernetesUpgradeStatus, childWaits: OperatorWait[]): string[] {
  return [
    `In flight: ${s.inFlight.join(', ') || 'none'} · upgraded ${s.upgraded.length} · skipped ${s.skipped.length}`,
    childWaits.length > 0
      ? `Waiting for an operator (\`steward decide ID …\`):\n${bulletList(childWaits.map((w) => `${w.workflowId}: ${w.reason}`))}`
      : '',
    s.skipped.length > 0 ? `Skipped:\n${bulletList(s.skipped)}` : '',
    s.leftCordoned.length > 0 ? `Left cordoned: ${s.leftCordoned.join(', ')}` : '',
    s.blockedBy ? `Waiting for the cluster: ${s.blockedBy}` : '',
    s.waitingForWindow ? `Waiting for the maintenance window: ${s.waitingForWindow}` : '',
  ].filter(Boolean);
}

/** How a node's child ended without a result; anything else (this run's cancellation) rethrown. */
function childEnd(err: unknown): string {
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return 'runs already; retry once it ended';
  if (!(err instanceof ChildWorkflowFailure) || CancellationScope.current().consideredCancelled) {
    throw err;
  }
  const cause = err.cause;
  if (cause instanceof TerminatedFailure) return 'was terminated';
  if (cause instanceof TimeoutFailure) return 'timed out';
  if (cause instanceof CancelledFailure) return 'was cancelled';
  return `failed: ${cause?.message ?? err.message}`;
}
