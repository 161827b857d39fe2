// Recorded workflow histories: written when RECORD_HISTORIES=1, replayed in CI by test/replay.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPORAL_BIN } from './temporal';

export const HISTORY_DIR = join(__dirname, '../histories');

/** Saves a workflow's history as `<name>.json`, in the Temporal CLI's JSON, when recording is asked for. */
export function recordHistory(address: string, workflowId: string, name: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(TEMPORAL_BIN, [
    'workflow',
    'show',
    '--address',
    address,
    '-w',
    workflowId,
    '--output',
    'json',
  ]);
  const recorded: RecordedHistory = { workflowId, history: JSON.parse(json.toString()) };
  writeFileSync(join(HISTORY_DIR, `${name}.json`), JSON.stringify(recorded));
}

/** The workflow ID matters: Steward's workflows check that it matches their target. */
export interface RecordedHistory {
  workflowId: string;
  history: unknown;
}

export function recordedHistories(): ({ name: string } & RecordedHistory)[] {
  return readdirSync(HISTORY_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      ...(JSON.parse(readFileSync(join(HISTORY_DIR, f), 'utf8')) as RecordedHistory),
    }));
}

/**
 * Whether the worker's interceptors ran when the history was recorded (they tell the operators'
 * webhook at the start): workflow tests with in-memory activities run the workflows without them.
 */
export function recordedWithInterceptors(history: unknown): boolean {
  const events =
    (
      history as {
        events?: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[];
      }
    ).events ?? [];
  return events.some(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notifyOperators',
  );
}
