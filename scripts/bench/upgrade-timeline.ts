// Where the time of a kubernetesUpgrade goes, read from its histories and the lab physics' log:
// the chain of nodes the parent's end waited for (the last node to finish, the node whose end
// started it, and so on back to the first), split into phases that add up to the parent's run
// time. In a rolling window a node starts when another one's end frees its slot; in lock-step
// batches (runs before patch rolling-worker-window) each batch waits for the previous one's slowest.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The phases of the critical path, in order; the `node:` ones are one upgradeNode child's. */
export const PHASES = [
  'parent: start → first node',
  'parent: child workflow start',
  'node: start → drain',
  'node: drain (child drainNode)',
  'node: Job created → physics plays it',
  'node: physics plays Job + kubelet restart',
  'node: pod done → Steward notices',
  'node: node-ready + device-plugin steps',
  'node: pause',
  'node: checks + uncordon',
  'parent: node done → next node / result',
  'parent: add-on steps (applyAddonStep)',
] as const;
export type Phase = (typeof PHASES)[number];

/** What the lab saw of one node's upgrade Job (ms since epoch). */
export interface LabTimes {
  /** The physics starts playing the Job's pod (it runs on the node) ... */
  playStart?: number;
  /** ... and ends it: the pod Succeeded. */
  playEnd?: number;
}

/**
 * Reads lab/physics.ts's log, keyed `<node>@<version>`: `<iso> <pod>: upgrading <node> to <version> ...`
 * starts a play, `<iso> <pod>: done` ends it. A pod played again (physics restart) starts anew.
 */
export function parsePhysicsLog(text: string): Map<string, LabTimes> {
  const keyOfPod = new Map<string, string>();
  const plays = new Map<string, LabTimes>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+): (?:upgrading (\S+) to (\S+) |done$)/.exec(line);
    if (!m) continue;
    const [, iso, pod, node, version] = m;
    const at = Date.parse(iso);
    if (node) {
      keyOfPod.set(pod, `${node}@${version}`);
      plays.set(`${node}@${version}`, { playStart: at });
    } else {
      const play = plays.get(keyOfPod.get(pod) ?? '');
      if (play) play.playEnd = at;
    }
  }
  return plays;
}

export interface NodeRun {
  workflowId: string;
  /** The node's name. */
  label: string;
  /** The parent asked for the child. */
  initiatedMs: number;
  startMs: number;
  endMs: number;
  phases: Map<Phase, number>;
}

export interface UpgradeTimeline {
  startMs: number;
  endMs: number;
  /** Runs of the parent (it continues as new once its history grows). */
  runs: number;
  /** Every node's upgrade. */
  nodes: NodeRun[];
  /** The chain the parent's end waited for, first node first. */
  chain: NodeRun[];
  /** Phase durations along the chain, summed; they add up to end - start. */
  phases: Map<Phase, number>;
}

const at = (e: HistoryEvent) => tsToMs(e.eventTime);

/**
 * Splits [start, marks...] into phases: each phase ends at its mark. A phase whose mark is
 * unknown gets 0 and its time goes to the next phase with a known mark.
 */
function splitAt(startMs: number, marks: [Phase, number | undefined][]): Map<Phase, number> {
  const phases = new Map<Phase, number>();
  let previous = startMs;
  for (const [phase, mark] of marks) {
    phases.set(phase, mark === undefined ? 0 : mark - previous);
    if (mark !== undefined) previous = mark;
  }
  return phases;
}

function nodeRun(
  workflowId: string,
  initiatedMs: number,
  events: HistoryEvent[],
  lab: LabTimes = {},
): NodeRun {
  const first = (has: (e: HistoryEvent) => unknown) => events.find((e) => has(e));
  const time = (e: HistoryEvent | undefined) => (e ? at(e) : undefined);
  const timers = events.filter((e) => e.timerStartedEventAttributes);
  const pause = timers.at(-1);
  const pauseFired = pause
    ? events.find(
        (e) => Number(e.timerFiredEventAttributes?.startedEventId) === Number(pause.eventId),
      )
    : undefined;
  const startMs = at(events[0]);
  const endMs = at(events.at(-1)!);
  const phases = splitAt(startMs, [
    [
      'node: start → drain',
      time(first((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)),
    ],
    [
      'node: drain (child drainNode)',
      time(first((e) => e.childWorkflowExecutionCompletedEventAttributes)),
    ],
    ['node: Job created → physics plays it', lab.playStart],
    ['node: physics plays Job + kubelet restart', lab.playEnd],
    [
      'node: pod done → Steward notices',
      // The Job's wait returned. Runs before patch step-waits-in-activities polled describeNode
      // after the Job.
      time(completedLast(events, 'awaitUpgradeJob')) ??
        time(
          first((e) =>
            ['awaitNodeReady', 'describeNode'].includes(
              e.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
            ),
          ),
        ),
    ],
    ['node: node-ready + device-plugin steps', time(pause)],
    ['node: pause', time(pauseFired)],
    ['node: checks + uncordon', endMs],
  ]);
  // k8s-upgrade/<cluster>/<node>/<version>
  return { workflowId, label: workflowId.split('/')[2], initiatedMs, startMs, endMs, phases };
}

async function mapLimited<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function historyEvents(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return history.events ?? [];
}

/** Every run of `workflowId`, oldest first, each with its history. */
async function runsOf(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: { runId: string; startMs: number }[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({ runId: wf.runId, startMs: wf.startTime.getTime() });
  }
  runs.sort((a, b) => a.startMs - b.startMs);
  return Promise.all(runs.map((r) => historyEvents(client, workflowId, r.runId)));
}

/** Scheduled times of the activities of `type` in `events`, by event ID. */
function scheduledOf(events: HistoryEvent[], type: string): Map<number, number> {
  return new Map(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type)
      .map((e) => [Number(e.eventId), at(e)]),
  );
}

/** The last completion of an activity of `type` in `events`. */
function completedLast(events: HistoryEvent[], type: string): HistoryEvent | undefined {
  const scheduled = scheduledOf(events, type);
  return events
    .filter((e) => scheduled.has(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)))
    .at(-1);
}

/** How long the activities of `type` in `events` took, scheduled to closed, summed. */
function activityMs(events: HistoryEvent[], type: string): number {
  const scheduled = scheduledOf(events, type);
  let total = 0;
  for (const e of events) {
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    const from = closed ? scheduled.get(Number(closed.scheduledEventId)) : undefined;
    if (from !== undefined) total += at(e) - from;
  }
  return total;
}

/**
 * The chain of nodes the finished upgrade `parentId` waited for, over all its runs: from the node
 * that finished last, each node's predecessor is the one whose end the parent saw last before it
 * asked for the node (for a batch: the previous batch's slowest node).
 */
export async function upgradeTimeline(
  client: Client,
  parentId: string,
  lab: Map<string, LabTimes>,
): Promise<UpgradeTimeline> {
  const runEvents = await runsOf(client, parentId);
  const parent = runEvents.flat();
  const initiated = parent.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  const nodes = await mapLimited(initiated, 16, async (e) => {
    const id = e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!;
    const [, , node, version] = id.split('/');
    return nodeRun(id, at(e), await historyEvents(client, id), lab.get(`${node}@${version}`));
  });
  const byId = new Map(nodes.map((n) => [n.workflowId, n]));
  // When the parent saw each child end, in order.
  const ends = parent
    .map((e) => ({
      ms: at(e),
      closed:
        e.childWorkflowExecutionCompletedEventAttributes ??
        e.childWorkflowExecutionFailedEventAttributes,
    }))
    .filter((e) => e.closed)
    .map((e) => ({ ms: e.ms, node: byId.get(e.closed!.workflowExecution!.workflowId!)! }));

  const chain: NodeRun[] = [];
  for (let node = ends.at(-1)?.node; node;) {
    chain.unshift(node);
    const startedBy: NodeRun | undefined = ends
      .filter((e) => e.ms <= node!.initiatedMs)
      .at(-1)?.node;
    node = startedBy;
  }

  const startMs = at(parent[0]);
  const endMs = at(parent.at(-1)!);
  const phases = new Map<Phase, number>(PHASES.map((p) => [p, 0]));
  const add = (phase: Phase, ms: number) => phases.set(phase, phases.get(phase)! + ms);
  let previousEnd = startMs;
  let previousPhase: Phase = 'parent: start → first node';
  for (const node of chain) {
    add(previousPhase, node.initiatedMs - previousEnd);
    add('parent: child workflow start', node.startMs - node.initiatedMs);
    for (const [phase, ms] of node.phases) add(phase, ms);
    previousEnd = node.endMs;
    previousPhase = 'parent: node done → next node / result';
  }
  add(previousPhase, endMs - previousEnd);
  // Add-on steps run between the steps, after a minor's workers: take them out of the gaps.
  const addons = runEvents.reduce((sum, events) => sum + activityMs(events, 'applyAddonStep'), 0);
  add('parent: add-on steps (applyAddonStep)', addons);
  add('parent: node done → next node / result', -addons);
  return { startMs, endMs, runs: runEvents.length, nodes, chain, phases };
}
