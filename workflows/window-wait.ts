// Maintenance windows in workflow code: the policy's math on workflow time, and durable timers
// until the window opens.
import { sleep } from '@temporalio/workflow';
import {
  describeClosed,
  insideWindow,
  nextWindowStart,
  type MaintenanceWindows,
} from './policy/maintenance-window';

/** Why nothing may start now ("<window> is closed; next opens at …"); undefined when it may. */
export function windowClosed(window: MaintenanceWindows | undefined): string | undefined {
  if (!window || insideWindow(window, Date.now())) return undefined;
  return describeClosed(window, Date.now());
}

/** Sleeps until the window is open; `show` gets the wait's reason while it lasts, then undefined. */
export async function untilWindowOpens(
  window: MaintenanceWindows | undefined,
  show: (waiting: string | undefined) => void,
): Promise<void> {
  let waited = false;
  for (let closed = windowClosed(window); closed; closed = windowClosed(window)) {
    show(closed);
    waited = true;
    await sleep(nextWindowStart(window!, Date.now()) - Date.now());
  }
  if (waited) show(undefined);
}
