// Maintenance windows in workflow code: the policy's math on workflow time, and durable timers
// until the window opens. No run before patch maintenance-window had a window, so the patch only
// marks the runs that have one.
import { patched, sleep } from '@temporalio/workflow';
import {
  describeInstant,
  describeWindow,
  insideWindow,
  nextWindowStart,
  type MaintenanceWindow,
} from './policy/maintenance-window';

const MAINTENANCE_WINDOW = 'maintenance-window';

/** Why nothing may start now ("<window> is closed; next opens at …"); undefined when it may. */
export function windowClosed(window: MaintenanceWindow | undefined): string | undefined {
  if (!window || !patched(MAINTENANCE_WINDOW) || insideWindow(window, Date.now())) return undefined;
  const opens = describeInstant(window, nextWindowStart(window, Date.now()));
  return `${describeWindow(window)} is closed; next opens at ${opens}`;
}

/** Sleeps until the window is open; `show` gets the wait's reason while it lasts, then undefined. */
export async function untilWindowOpens(
  window: MaintenanceWindow | undefined,
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
