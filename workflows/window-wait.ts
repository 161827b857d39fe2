// Maintenance windows in workflow code: the policy's math on workflow time, and durable timers
// until the window opens. No run before patch maintenance-window had a window, so the patch only
// marks the runs that have one.
import { patched, sleep } from '@temporalio/workflow';
import {
  describeClosed,
  insideWindow,
  nextWindowStart,
  type MaintenanceWindows,
} from './policy/maintenance-window';

const MAINTENANCE_WINDOW = 'maintenance-window';

/** Why nothing may start now ("<window> is closed; next opens at …"); undefined when it may. */
export function windowClosed(window: MaintenanceWindows | undefined): string | undefined {
  if (!window || !patched(MAINTENANCE_WINDOW) || insideWindow(window, Date.now())) return undefined;
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
