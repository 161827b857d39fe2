// Maintenance windows for tests: every day, from an instant for a while; waiting for one.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { WEEKDAYS, type MaintenanceWindow } from '../../workflows/policy/maintenance-window';

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

/**
 * Opens every day at the second of `opens` (ms since the epoch) and lasts `lengthMs`, written on
 * the clock of a zone with a fixed offset from UTC (by default UTC itself).
 */
export function dailyWindow(
  opens: number,
  lengthMs: number,
  zone = { timeZone: 'UTC', offsetMs: 0 },
): MaintenanceWindow {
  return {
    days: [...WEEKDAYS],
    start: clock(opens + zone.offsetMs),
    end: clock(opens + zone.offsetMs + lengthMs),
    timeZone: zone.timeZone,
  };
}

/** Polls until the workflow's StewardPhase is waiting-for-window (what the UI's list shows). */
export async function untilWaitingForWindow(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 140; i++) {
    const { searchAttributes } = await handle.describe();
    if (searchAttributes.StewardPhase?.[0] === 'waiting-for-window') return;
    await sleep(100);
  }
  throw new Error(`${handle.workflowId} never waited for its window`);
}
