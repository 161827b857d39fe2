// Operations in flight and waiting, counted from Temporal visibility by Steward's search attributes
// (StewardOperation, StewardCluster, StewardPhase), and the age of the leases the clusters' guards
// hold. The gauges carry the operation's kind, cluster and phase, never a workflow or run ID, so
// their series stay as few as those, however many operations run. Every worker counts the same
// operations: aggregate the gauges with max(), not sum().
import type { Client } from '@temporalio/client';
import type { MetricGauge, MetricMeter } from '@temporalio/common';
import { clusterLeasesQuery, searchAttributes, type Lease } from '../workflows/api';

export interface RunningOperation {
  workflowId: string;
  operation: string;
  cluster: string;
  phase: string;
}

export interface GuardLeases {
  cluster: string;
  leases: Lease[];
}

type Labels = Record<string, string>;
interface Row {
  labels: Labels;
  value: number;
}

/** One gauge's rows now, plus a 0 for every label set it showed before that is gone now. */
class GaugeRows {
  private shown = new Map<string, Labels>();

  rows(current: Map<string, Row>): Row[] {
    const gone = [...this.shown].filter(([key]) => !current.has(key));
    for (const [key, row] of current) this.shown.set(key, row.labels);
    return [...current.values(), ...gone.map(([, labels]) => ({ labels, value: 0 }))];
  }
}

const keyOf = (labels: Labels) => JSON.stringify(labels);

/**
 * Tallies what visibility lists into gauge rows. Remembers when it first saw each operation in
 * its phase (visibility keeps no phase times), so a worker that starts counts from its start.
 */
export class OperationCensus {
  private inPhaseSince = new Map<string, { phase: string; since: number }>();
  private readonly counts = new GaugeRows();
  private readonly oldest = new GaugeRows();
  private readonly leases = new GaugeRows();

  tally(
    operations: RunningOperation[],
    guards: GuardLeases[],
    nowMs: number,
  ): { operations: Row[]; oldestInPhase: Row[]; leaseHeld: Row[] } {
    const seen = new Map<string, { phase: string; since: number }>();
    const counts = new Map<string, Row>();
    const oldest = new Map<string, Row>();
    for (const op of operations) {
      const before = this.inPhaseSince.get(op.workflowId);
      const since = before?.phase === op.phase ? before.since : nowMs;
      seen.set(op.workflowId, { phase: op.phase, since });
      const labels = { operation: op.operation, cluster: op.cluster, phase: op.phase };
      const key = keyOf(labels);
      const age = (nowMs - since) / 1000;
      counts.set(key, { labels, value: (counts.get(key)?.value ?? 0) + 1 });
      oldest.set(key, { labels, value: Math.max(oldest.get(key)?.value ?? 0, age) });
    }
    this.inPhaseSince = seen;
    const held = new Map<string, Row>();
    for (const { cluster, leases } of guards) {
      for (const lease of leases) {
        const labels = { cluster, operation: lease.operation };
        const age = Math.max(0, (nowMs - Date.parse(lease.since)) / 1000);
        const key = keyOf(labels);
        held.set(key, { labels, value: Math.max(held.get(key)?.value ?? 0, age) });
      }
    }
    return {
      operations: this.counts.rows(counts),
      oldestInPhase: this.oldest.rows(oldest),
      leaseHeld: this.leases.rows(held),
    };
  }
}

/** Steward's running operations and its guards' leases, as visibility and the guards say now. */
export async function readCensus(
  client: Client,
): Promise<{ operations: RunningOperation[]; guards: GuardLeases[] }> {
  const operations: RunningOperation[] = [];
  const guardIds: string[] = [];
  // Only Steward's: a namespace shared with other applications lists theirs too.
  const query = `ExecutionStatus = "Running" AND (${searchAttributes.operation.name} IS NOT NULL OR WorkflowType = "clusterGuard")`;
  for await (const wf of client.workflow.list({ query })) {
    if (wf.type === 'clusterGuard') guardIds.push(wf.workflowId);
    const operation = wf.typedSearchAttributes.get(searchAttributes.operation);
    if (!operation) continue;
    operations.push({
      workflowId: wf.workflowId,
      operation,
      cluster: wf.typedSearchAttributes.get(searchAttributes.cluster) ?? '',
      phase: wf.typedSearchAttributes.get(searchAttributes.phase) ?? '',
    });
  }
  const guards = await Promise.all(
    guardIds.map((id) => client.workflow.getHandle(id).query(clusterLeasesQuery)),
  );
  return { operations, guards };
}

/** Counts every `intervalMs` into the meter's gauges until the returned function is called. */
export function startOperationCensus(
  client: Client,
  meter: MetricMeter,
  intervalMs: number,
  warn: (message: string) => void,
): () => void {
  const census = new OperationCensus();
  const gauges = {
    operations: meter.createGauge(
      'steward_operations',
      'int',
      '',
      'Operations running now, by kind, cluster and phase (Temporal visibility)',
    ),
    oldestInPhase: meter.createGauge(
      'steward_operations_oldest_in_phase_seconds',
      'float',
      's',
      'How long the operation longest in its phase has been in it, as this worker has seen',
    ),
    leaseHeld: meter.createGauge(
      'steward_lease_held_seconds',
      'float',
      's',
      "Age of the oldest lease a cluster's guard holds, by the holder's operation",
    ),
  } satisfies Record<string, MetricGauge>;
  const count = async () => {
    try {
      const { operations, guards } = await readCensus(client);
      const rows = census.tally(operations, guards, Date.now());
      for (const name of ['operations', 'oldestInPhase', 'leaseHeld'] as const) {
        for (const { labels, value } of rows[name]) gauges[name].set(value, labels);
      }
    } catch (err) {
      warn(`operations not counted: ${(err as Error).message}`);
    }
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    await count();
    if (!stopped) timer = setTimeout(() => void loop(), intervalMs);
  };
  void loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
