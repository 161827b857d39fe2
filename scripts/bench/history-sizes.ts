// How large the histories of a run grew: every workflow the Temporal server lists, the largest
// by events, and the largest of each workflow type.
import type { Client } from '@temporalio/client';

export interface HistorySize {
  workflowId: string;
  type: string;
  events: number;
  bytes: number;
}

export interface HistorySizes {
  workflows: number;
  largest: HistorySize;
  /** The largest history of each workflow type, and how many workflows of that type ran. */
  byType: { type: string; count: number; largest: HistorySize }[];
}

/** Lists every workflow (visibility fills history length and size at close; describe otherwise). */
export async function historySizes(client: Client): Promise<HistorySizes> {
  const sizes: HistorySize[] = [];
  for await (const wf of client.workflow.list()) {
    let events = wf.historyLength;
    let bytes = wf.historySize ?? 0;
    if (events === 0) {
      const described = await client.workflow.getHandle(wf.workflowId, wf.runId).describe();
      events = described.historyLength;
      bytes = described.historySize ?? 0;
    }
    sizes.push({ workflowId: wf.workflowId, type: wf.type, events, bytes });
  }
  if (sizes.length === 0) throw new Error('the Temporal server lists no workflows');
  const larger = (a: HistorySize, b: HistorySize) => (b.events > a.events ? b : a);
  const types = [...new Set(sizes.map((s) => s.type))].sort();
  return {
    workflows: sizes.length,
    largest: sizes.reduce(larger),
    byType: types.map((type) => {
      const ofType = sizes.filter((s) => s.type === type);
      return { type, count: ofType.length, largest: ofType.reduce(larger) };
    }),
  };
}
