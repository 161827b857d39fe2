// Which nodes to upgrade next: control-plane nodes one at a time, workers in batches that never
// make more than maxUnavailable workers unavailable at once, counting those already NotReady.

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
 * The next batch of workers: Ready ones that still need the step, as many as the bound leaves
 * room for once every NotReady worker is counted as unavailable. A NotReady worker is never
 * picked; the rollout waits for it.
 */
export function nextWorkerBatch(nodes: NodeState[], maxUnavailable: number): Batch {
  const todo = nodes.filter((n) => !n.done);
  if (todo.length === 0) return { nodes: [], waitingFor: 'nothing: every worker is done' };
  const down = nodes.filter((n) => !n.ready).map((n) => n.name);
  const room = maxUnavailable - down.length;
  const ready = todo.filter((n) => n.ready);
  if (room <= 0 || ready.length === 0) {
    return {
      nodes: [],
      waitingFor: `NotReady worker(s) ${down.join(', ')} to be Ready (bound: ${maxUnavailable} unavailable)`,
    };
  }
  return { nodes: ready.slice(0, room).map((n) => n.name) };
}
