// How an operation waits out a system that is down: which failures are outages, how long it
// waits between tries, and when it stops waiting and asks a person instead.
import { NETBOX_FAILURES, OPENSTACK_FAILURES, VAULT_FAILURES } from '../api';

/** An hour: NetBox's database restarted, a Keystone upgrade, a Vault unseal all fit. */
export const DEFAULT_OUTAGE_BOUND_SECONDS = 60 * 60;

/** The systems whose "unavailable" failures are outages (5xx, unreachable), by failure type. */
const SYSTEM_OF_FAILURE: Record<string, string> = {
  [NETBOX_FAILURES.unavailable]: 'NetBox',
  [OPENSTACK_FAILURES.unavailable]: 'OpenStack',
  [VAULT_FAILURES.unavailable]: 'Vault',
};

/** The system that is down when `failureType` is an outage's, else undefined. */
export const outageSystem = (failureType: string | undefined): string | undefined =>
  failureType === undefined ? undefined : SYSTEM_OF_FAILURE[failureType];

/** Seconds before the `attempt`-th try (0-based) after an outage: 5, 10, 20, 40, then 60. */
export const outageBackoffSeconds = (attempt: number): number =>
  Math.min(60, 5 * 2 ** Math.max(0, attempt));

/** "NetBox (HTTP 500: … since 10:42:13 UTC)": what the status and the UI show during an outage. */
export function describeOutage(system: string, message: string, sinceMs: number): string {
  const since = new Date(sinceMs).toISOString().slice(11, 19);
  return `${system} (${message.slice(0, 200)}, since ${since} UTC)`;
}
