// drainNode: cordon a node and evict its pods through the Eviction API, PDBs respected. The cordon
// is recorded under the top-level operation's run (policy/cordon-owner.ts): one found cordoned is
// never adopted, and a drain never uncordons or forces anything. Out of time it waits for an
// operator; blocked for days, it continues as new with what it evicted, its cordon and its deadline.
import { continueAsNew, workflowInfo } from '@temporalio/workflow';
import { heartbeating, kubernetesLocal, summarized } from './operation/activity-profiles';
import {
  drainStatusQuery,
  invalidInput,
  workflowIds,
  type DrainCarried,
  type DrainNodeInput,
  type DrainNodeResult,
  type DrainOutcome,
  type DrainStatus,
  type PodVerdict,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { historyFull } from './operation/history';
import { Operation } from './operation/operation';
import { bulletList } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import { cordonOwnerOf } from './policy/cordon-owner';
import { parseDrainInput } from './policy/drain-input';
import { classifyPods } from './policy/pod-filters';

/** node-upgrade's patch for runs that made every node read a server round trip (its rewrite drops it). */
export const LOCAL_NODE_CALLS = 'local-node-calls';

const ROUND_SECONDS = 15;
const REPORT_PROGRESS_AFTER_SECONDS = 3;

const rounds = heartbeating(ROUND_SECONDS);

type DrainRequest = Required<DrainNodeInput>;

/** The cordon owner of the calling workflow's operation: its top-level operation's run. */
export const cordonOwner = (): string => cordonOwnerOf(workflowInfo());

export function drainNode(
  rawInput: DrainNodeInput,
  carried: DrainCarried = {},
): Promise<DrainNodeResult> {
  return withClusterLease((lease) => drain(rawInput, carried, lease));
}

/** One run of a drain: its input, its operation, and when its current attempt runs out. */
interface DrainRun {
  rawInput: DrainNodeInput;
  input: DrainRequest;
  op: Operation<DrainStatus>;
  deadline: number;
  /** Set when the history is full: the run ends its step and continues as new. */
  continuing: boolean;
  /** Its first eviction round ran (in this run or one it continues): the start is on record. */
  started: boolean;
}

async function drain(
  rawInput: DrainNodeInput,
  carried: DrainCarried,
  lease: ClusterLease,
): Promise<DrainNodeResult> {
  const input = parseDrainInput(rawInput);
  const { cluster, node } = input;
  requireWorkflowId(workflowIds.drain(cluster, node), 'one drain runs per node', {
    schedules: true,
  });
  const status = carried.status ?? newStatus(input);
  const op = new Operation(status, {
    kind: 'drain',
    cluster,
    target: node,
    query: drainStatusQuery,
    title: () => `**Drain ${cluster}/${node}**: ${status.phase}`,
    details: () => details(status),
    phase: () => status.phase,
  });
  op.show();
  const run: DrainRun = {
    rawInput,
    input,
    op,
    deadline: carried.deadline ?? 0,
    continuing: false,
    started: carried.status !== undefined,
  };
  if (carried.status) {
    await takeLease(lease, status);
  } else {
    await validate(input);
    await takeLease(lease, status);
    await cordon(run);
  }

  const end = await op.runStep('evict', () => evict(run, carried.continueAsNewAfterEvents), {
    onProblem: async () => {
      status.phase = 'waiting-for-operator';
      return '';
    },
    onRetry: async () => {
      status.phase = 'evicting';
      run.deadline = Date.now() + input.timeoutSeconds * 1000;
    },
  });
  if (run.continuing) return continueDrain(run, carried);
  if (end === 'done') return finish(op, 'drained', drainedMessage(status));
  const left = `with ${status.left.length} pods left`;
  const cordoned = status.cordonedBySteward
    ? 'left cordoned by Steward'
    : 'left cordoned (not by Steward)';
  const outcome = end === 'skip' ? 'skipped' : 'aborted';
  return finish(op, outcome, `drain of ${node} ${outcome} by an operator ${left}; ${cordoned}`);
}

function newStatus({ cluster, node }: DrainRequest): DrainStatus {
  return {
    cluster,
    node,
    phase: 'validating',
    cordonedBySteward: false,
    cordonOwner: cordonOwner(),
    evicted: [],
    left: [],
    decisions: [],
  };
}

function details(status: DrainStatus): string[] {
  const lines = [
    `Evicted ${status.evicted.length} · left ${status.left.length} · ` +
      (status.cordonedBySteward ? 'cordoned by Steward' : 'not cordoned by Steward'),
  ];
  if (status.left.length > 0) {
    const left = status.left.map((l) => `${l.pod.namespace}/${l.pod.name}: ${l.blocker}`);
    lines.push('', bulletList(left));
  }
  return lines;
}

const describeRefusals = (refused: PodVerdict[]) =>
  refused.map((v) => `${v.pod.namespace}/${v.pod.name}: ${v.reason}`);

/** Classifies before cordoning, so that a refused pod leaves the node exactly as it was. */
async function validate(input: DrainRequest): Promise<void> {
  const { cluster, node } = input;
  await surfaceInvalidInput(kubernetesLocal.describeNode({ cluster, node }));
  const { refuse } = classifyPods(await kubernetesLocal.listNodePods({ cluster, node }), input);
  if (refuse.length > 0) {
    throw invalidInput(
      'node',
      `pods that cannot be evicted:\n${describeRefusals(refuse).join('\n')}`,
    );
  }
}

/** A drain inside an upgrade or a reinstall is covered by that operation's lease. */
async function takeLease(lease: ClusterLease, { cluster, node }: DrainStatus): Promise<void> {
  if (!workflowInfo().parent) await lease.take(cluster, 'drain', [node]);
}

async function cordon(run: DrainRun): Promise<void> {
  const { op, input } = run;
  const { cluster, node } = input;
  op.status.phase = 'cordoning';
  op.show();
  const owner = op.status.cordonOwner ?? cordonOwner();
  const result = await kubernetesLocal.cordonNode({ cluster, node, owner });
  op.status.cordonedBySteward = result.cordonedBySteward;
  run.deadline = Date.now() + input.timeoutSeconds * 1000;
}

/**
 * Evicts the node's evictable pods in rounds until none is left, or the deadline passes (the
 * problem the operator reads). Ends early, done for this run, once the history is full.
 */
async function evict(run: DrainRun, eventLimit?: number): Promise<string | undefined> {
  const { op, input } = run;
  const { cluster, node } = input;
  const { status } = op;
  status.phase = 'evicting';
  const plan = classifyPods(await kubernetesLocal.listNodePods({ cluster, node }), input);
  if (plan.refuse.length > 0) {
    return `pods arrived that cannot be evicted: ${describeRefusals(plan.refuse).join('; ')}`;
  }
  let remaining = plan.evict.map((v) => v.pod);
  status.left = remaining.map((pod) => ({ pod, blocker: 'not yet evicted' }));
  op.show();
  while (remaining.length > 0 && Date.now() < run.deadline) {
    if (historyFull(eventLimit)) {
      run.continuing = true;
      return undefined;
    }
    const secondsLeft = Math.ceil((run.deadline - Date.now()) / 1000);
    const round = await summarized(
      rounds.evictRound,
      `drain ${node}: evict ${remaining.length} pod${remaining.length === 1 ? '' : 's'}`,
      {
        cluster,
        node,
        pods: remaining,
        roundSeconds: Math.max(1, Math.min(ROUND_SECONDS, secondsLeft)),
        reportProgressAfterSeconds: REPORT_PROGRESS_AFTER_SECONDS,
        drainStart: !run.started,
      },
    );
    run.started = true;
    status.evicted.push(...round.gone);
    status.left = round.left;
    remaining = round.left.map((l) => l.pod);
    op.show();
  }
  if (remaining.length === 0) return undefined;
  return `timed out after ${input.timeoutSeconds}s with ${remaining.length} pods left`;
}

/** The next run goes on evicting under the same cordon, deadline and lease holder. */
function continueDrain(run: DrainRun, carried: DrainCarried): Promise<never> {
  return continueAsNew<typeof drainNode>(run.rawInput, {
    status: run.op.snapshot(),
    deadline: run.deadline,
    continueAsNewAfterEvents: carried.continueAsNewAfterEvents,
  });
}

function drainedMessage(status: DrainStatus): string {
  const evicted = `${status.node} drained: ${status.evicted.length} pods evicted`;
  return status.cordonedBySteward
    ? `${evicted}; it stays cordoned until uncordoned`
    : `${evicted}; it was cordoned before this operation and stays so`;
}

function finish(
  op: Operation<DrainStatus>,
  outcome: DrainOutcome,
  message: string,
): DrainNodeResult {
  op.status.phase = outcome;
  op.show();
  return { ...op.snapshot(), outcome, message };
}
