// What every rule of the unsafe-action checker shares: its finding, and which operations were
// running at an instant (a record outside every operation is not Steward's doing).
import { ms, within, type OperationWindow } from '../ground-truth/records';

export interface Finding {
  rule: string;
  /** When the real server recorded the unsafe or doubled action. */
  at: string;
  detail: string;
}

export const running = (operations: OperationWindow[], at: string) =>
  operations.filter((o) => within(at, o));

/** The operations that ran at some time between two looks (a change a sampler saw happened then). */
export const runningBetween = (operations: OperationWindow[], from: string, to: string) =>
  operations.filter((o) => ms(o.start) <= ms(to) && ms(o.end) >= ms(from));

/** The records grouped by key, in their order; a record without a key is left out. */
export function groupBy<T>(records: T[], key: (record: T) => string | undefined): T[][] {
  const groups = new Map<string, T[]>();
  for (const record of records) {
    const k = key(record);
    if (k !== undefined) groups.set(k, [...(groups.get(k) ?? []), record]);
  }
  return [...groups.values()];
}

/** A BMC command that booted the host: power on from off, or a reset. */
export const isBoot = (effect: string) => /^(on|reset) boot=/.test(effect);

/** Whether a host's BMC had it powered off at `at`, by its own log (a fresh chassis is on). */
export function poweredOff(
  events: { at: string; bmc: string; effect: string }[],
  bmc: string,
  at: string,
) {
  let off = false;
  for (const e of events) {
    if (e.bmc !== bmc || ms(e.at) > ms(at)) continue;
    if (e.effect === 'off') off = true;
    else if (isBoot(e.effect)) off = false;
  }
  return off;
}
