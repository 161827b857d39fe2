// drainNode: cordon a node and evict its pods through the Eviction API, PDBs respected. When the
// drain runs out of time it never forces anything: it waits durably for an operator's decision.
import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  heartbeating,
  kubernetes as k8s,
  kubernetesLocal as k8sLocal,
} from './operation/activity-profiles';
import {
  drainStatusQuery,
  invalidInput,
  isRunOf,
  workflowIds,
  type DrainNodeInput,
  type DrainNodeResult,
  type DrainOutcome,
  type DrainPhase,
  type DrainStatus,
  type PodRef,
  type PodVerdict,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { OperatorGate } from './operation/operator-gate';
import { parseDrainInput } from './policy/drain-input';
import { classifyPods } from './policy/pod-filters';
import { announce, bulletList, showPhase } from './operation/visibility';

const ROUND_SECONDS = 15;
/** Runs that started before this patch made every read and the cordon a round trip through the server. */
export const LOCAL_NODE_CALLS = 'local-node-calls';
const REPORT_PROGRESS_AFTER_SECONDS = 3;

const rounds = heartbeating(ROUND_SECONDS);

const describeRefusals = (refused: PodVerdict[]) =>
  refused.map((v) => `${v.pod.namespace}/${v.pod.name}: ${v.reason}`);

export function drainNode(rawInput: DrainNodeInput): Promise<DrainNodeResult> {
  return withClusterLease((lease) => drain(rawInput, lease));
}

async function drain(rawInput: DrainNodeInput, lease: ClusterLease): Promise<DrainNodeResult> {
  const input = parseDrainInput(rawInput);
  const { cluster, node } = input;
  const expectedId = workflowIds.drain(cluster, node);
  if (!isRunOf(workflowInfo().workflowId, expectedId)) {
    throw invalidInput(
      'workflowId',
      `must be "${expectedId}" (or a Schedule's run of it) so that one drain runs per node`,
    );
  }

  const gate = new OperatorGate();
  const status: DrainStatus = {
    cluster,
    node,
    phase: 'validating',
    cordonedBySteward: false,
    evicted: [],
    left: [],
    decisions: gate.decisions,
  };
  const snapshot = (): DrainStatus => ({ ...status, waitingReason: gate.reason });
  setHandler(drainStatusQuery, snapshot);

  const enter = (phase: DrainPhase) => {
    status.phase = phase;
    const lines = [
      `**Drain ${cluster}/${node}**: ${phase}`,
      `Evicted ${status.evicted.length} · left ${status.left.length} · ` +
        (status.cordonedBySteward ? 'cordoned by Steward' : 'not cordoned by Steward'),
    ];
    if (gate.reason) {
      lines.push(`Waiting for an operator: ${gate.reason}`);
      lines.push(`\`steward decide ${workflowInfo().workflowId} retry|skip|abort\``);
    }
    if (status.left.length > 0) {
      const left = status.left.map((l) => `${l.pod.namespace}/${l.pod.name}: ${l.blocker}`);
      lines.push('', bulletList(left));
    }
    showPhase(phase, lines.join('\n'));
  };

  const calls = patched(LOCAL_NODE_CALLS) ? k8sLocal : k8s;
  announce('drain', cluster, node);
  enter('validating');

  // Classify before cordoning, so a refused pod leaves the node exactly as it was.
  await surfaceInvalidInput(calls.describeNode({ cluster, node }));
  const initial = classifyPods(await calls.listNodePods({ cluster, node }), input);
  if (initial.refuse.length > 0) {
    throw invalidInput(
      'node',
      `pods that cannot be evicted:\n${describeRefusals(initial.refuse).join('\n')}`,
    );
  }

  // A drain inside an upgrade or a reinstall is covered by that operation's lease.
  if (!workflowInfo().parent) await lease.take(cluster, 'drain', [node]);
  enter('cordoning');
  const cordon = await calls.cordonNode({ cluster, node, owner: expectedId });
  status.cordonedBySteward = cordon.cordonedBySteward;

  const finish = (outcome: DrainOutcome, message: string): DrainNodeResult => {
    enter(outcome);
    return { ...snapshot(), outcome, message };
  };

  for (;;) {
    enter('evicting');
    const plan = classifyPods(await calls.listNodePods({ cluster, node }), input);
    let remaining: PodRef[] = plan.evict.map((v) => v.pod);
    status.left = remaining.map((pod) => ({ pod, blocker: 'not yet evicted' }));
    let problem: string | undefined;
    if (plan.refuse.length > 0) {
      problem = `pods arrived that cannot be evicted: ${describeRefusals(plan.refuse).join('; ')}`;
    } else {
      const deadline = Date.now() + input.timeoutSeconds * 1000;
      while (remaining.length > 0 && Date.now() < deadline) {
        const roundSeconds = Math.max(
          1,
          Math.min(ROUND_SECONDS, Math.ceil((deadline - Date.now()) / 1000)),
        );
        const round = await rounds.evictRound({
          cluster,
          node,
          pods: remaining,
          roundSeconds,
          reportProgressAfterSeconds: REPORT_PROGRESS_AFTER_SECONDS,
        });
        status.evicted.push(...round.gone);
        status.left = round.left;
        remaining = round.left.map((l) => l.pod);
        enter('evicting');
      }
      if (remaining.length === 0) {
        return finish(
          'drained',
          `${node} drained: ${status.evicted.length} pods evicted; it stays cordoned until uncordoned`,
        );
      }
      problem = `timed out after ${input.timeoutSeconds}s with ${remaining.length} pods left`;
    }

    const waiting = gate.wait(problem);
    enter('waiting-for-operator');
    const { decision } = await waiting;
    const cordonNote = status.cordonedBySteward
      ? 'left cordoned by Steward'
      : 'left cordoned (not by Steward)';
    if (decision !== 'retry') {
      const outcome = decision === 'skip' ? 'skipped' : 'aborted';
      const message = `drain of ${node} ${outcome} by an operator with ${remaining.length} pods left; ${cordonNote}`;
      return finish(outcome, message);
    }
  }
}
