// The CLI's --window: repeatable, each value one window or several separated by "; " (as the
// status writes them); the operation runs while any is open.
import { InvalidArgumentError } from 'commander';
import { windowFromText, type MaintenanceWindows } from '../workflows/policy/maintenance-window';

/** Commander's parser for --window: `earlier` holds what the flags before this one gave. */
export function windowOption(value: string, earlier?: MaintenanceWindows): MaintenanceWindows {
  const windows = windowFromText(value);
  if (!windows) {
    throw new InvalidArgumentError(
      'must read like "sat,sun 22:00-04:00 Europe/Berlin" (several: "…; wed 02:00-05:00 UTC")',
    );
  }
  return earlier === undefined ? windows : [earlier, windows].flat();
}
