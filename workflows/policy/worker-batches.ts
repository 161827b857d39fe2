// Which nodes to upgrade next: control-plane nodes one at a time, workers in a rolling window (in
// batches before patch rolling-worker-window) that never makes more than maxUnavailable workers
// unavailable at once, counting those already NotReady.

import type { ClusterFacts } from './upgrade-plan';

export interface NodeState {
  name: string;
  ready: boolean;
  /** Already at the step's version. */
  done: boolean;
}

/** "2" or "25%" of the workers, rounded down but at least 1. Throws a reason for anything else. */
export function parseMaxUnavailable(text: string | number, workerCount: number): number {
  const raw = String(text).trim();
  const percent = /^(\d+)%$/.exec(raw);
  if (percent) {
    const p = Number(percent[1]);
    if (p <= 0 || p > 100) throw new Error('must be a percentage from 1% to 100%');
    return Math.max(1, Math.floor((workerCount * p) / 100));
  }
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw new Error('must be a whole number above 0 or a percentage such as 25%');
  }
  return Number(raw);
}

export interface Batch {
  nodes: string[];
  /** Why the batch is empty, when it is. */
  waitingFor?: string;
}

/** The next control-plane node: one at a time, only when every other one is Ready. */
export function nextControlPlaneNode(nodes: NodeState[]): Batch {
  const notReady = nodes.filter((n) => !n.ready);
  const next = nodes.find((n) => !n.done);
  if (!next) return { nodes: [], waitingFor: 'nothing: every control-plane node is done' };
  const othersDown = notReady.filter((n) => n.name !== next.name);
  if (othersDown.length > 0) {
    return {
      nodes: [],
      waitingFor: `control-plane node(s) ${othersDown.map((n) => n.name).join(', ')} to be Ready`,
    };
  }
  return { nodes: [next.name] };
}

/**
 * The workers to start now: Ready ones that still need the step, as many as the bound leaves room
 * for once the workers in flight (cordoned and drained, even while Ready) and every other NotReady
 * worker are counted as unavailable. A NotReady worker is never picked; the rollout waits for it.
 * With nothing in flight this is the next batch; a rolling window calls it again whenever a worker
 * finishes. `waitingFor` is set when NotReady workers hold the start back.
 */
export function nextWorkerBatch(
  nodes: NodeState[],
  maxUnavailable: number,
  inFlight: string[] = [],
): Batch {
  const flying = new Set(inFlight);
  const todo = nodes.filter((n) => !n.done && !flying.has(n.name));
  if (todo.length === 0) {
    return flying.size > 0
      ? { nodes: [] }
      : { nodes: [], waitingFor: 'nothing: every worker is done' };
  }
  const down = nodes.filter((n) => !n.ready && !flying.has(n.name)).map((n) => n.name);
  const room = maxUnavailable - flying.size - down.length;
  const ready = todo.filter((n) => n.ready);
  if (room > 0 && ready.length > 0) return { nodes: ready.slice(0, room).map((n) => n.name) };
  if (down.length === 0) return { nodes: [] };
  return {
    nodes: [],
    waitingFor: `NotReady worker(s) ${down.join(', ')} to be Ready (bound: ${maxUnavailable} unavailable)`,
  };
}

export interface WindowRead {
  version: string;
  /** Workers in flight or skipped: never candidates. */
  exclude: string[];
  /** Candidates wanted at most: the room the workers in flight leave. */
  limit: number;
}

/**
 * What a rolling window needs of the cluster's nodes, without carrying every node into the
 * history: every NotReady worker (each counts against the bound) and the first `limit` Ready
 * workers that are selected, not at `version` and not excluded. With `limit` at least 1 it holds
 * a worker that still needs the step whenever one is left outside `exclude`.
 */
export function workerWindow(
  nodes: ClusterFacts['nodes'],
  { version, exclude, limit }: WindowRead,
): ClusterFacts['nodes'] {
  const workers = nodes.filter((n) => !n.controlPlane);
  const candidates = workers
    .filter((n) => n.ready && n.selected && n.kubeletVersion !== version)
    .filter((n) => !exclude.includes(n.name))
    .slice(0, limit);
  return [...workers.filter((n) => !n.ready), ...candidates];
}
