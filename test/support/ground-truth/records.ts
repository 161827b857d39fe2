// The plain records that the ground-truth readers return and the unsafe-action checker reads:
// what each real server says happened, with its own timestamps (ISO 8601, UTC), never Steward's
// account of it.
import type { BmcCommand } from '../../../lab';

/** One successful write the apiserver recorded in its audit log. */
export interface ApiWrite {
  at: string;
  user: string;
  userAgent: string;
  verb: 'create' | 'update' | 'patch' | 'delete';
  /** `pods/eviction`, `nodes`, `jobs`, `secrets`, ... */
  resource: string;
  namespace?: string;
  name: string;
  code: number;
}

/** One command a BMC executed, from its own log, with the serial its FRU reports. */
export interface BmcEvent extends BmcCommand {
  /** The lab host whose BMC this is (the BMC's own folder). */
  bmc: string;
  fruSerial: string;
}

/** One Nova migration record (`GET /os-migrations`). */
export interface NovaMigration {
  id: number;
  instance: string;
  type: string;
  status: string;
  source: string | null;
  dest: string | null;
  at: string;
}

/** One instance action (`GET /servers/{id}/os-instance-actions`). */
export interface NovaInstanceAction {
  instance: string;
  action: string;
  requestId: string;
  at: string;
  userId?: string;
}

/** One look at Nova's compute services. */
export interface ComputeServiceSample {
  at: string;
  services: { host: string; state: 'up' | 'down'; status: string; forcedDown: boolean }[];
}

/** One entry of NetBox's changelog (`/api/core/object-changes/`). */
export interface NetboxChange {
  at: string;
  user: string;
  requestId: string;
  action: 'create' | 'update' | 'delete';
  /** `dcim.device`, `extras.journalentry`, ... */
  objectType: string;
  objectId: number;
  /** The object after the change (before it, for a delete). */
  data: Record<string, unknown>;
}

/** One look at Ceph: PG counts per state and each daemon's incarnation. */
export interface CephSample {
  at: string;
  pgStates: Record<string, number>;
  /**
   * Per daemon (`osd.0`, `mon.a`, `mgr.x`): a value that changes when it restarts (an OSD's
   * `up_from` epoch, a mgr's active gid), or `down` while it is not running.
   */
  daemons: Record<string, string>;
}

/** One look at the cluster's nodes: which are cordoned, and by which Steward operation. */
export interface NodeSample {
  at: string;
  nodes: { name: string; unschedulable: boolean; cordonedBy?: string }[];
}

/** One look at a PodDisruptionBudget's pods. */
export interface PdbSample {
  at: string;
  namespace: string;
  name: string;
  /** Ready pods the budget needs (minAvailable, or expected minus maxUnavailable). */
  required: number;
  /** The selected pods, by name, and whether each is Ready. */
  pods: { name: string; ready: boolean }[];
}

/** One revision of a Helm release, from its release Secret. */
export interface HelmRevision {
  namespace: string;
  release: string;
  revision: number;
  chartVersion: string;
  status: string;
  at: string;
}

/** One operation that ran (given by whoever started it): its span and what it acted on. */
export interface OperationWindow {
  /** Its workflow ID; also the owner Steward writes in `steward.dev/cordoned-by`. */
  id: string;
  kind: 'drain' | 'kubernetes-upgrade' | 'reinstall' | 'eviction' | 'rook-upgrade' | 'uncordon';
  start: string;
  end: string;
  /** The devices (NetBox names) it may power, boot, fence or drain. */
  targets: string[];
  /** When the operator answered `retry` (a side effect redone after one was asked for). */
  retries?: string[];
}

export const ms = (at: string) => Date.parse(at);

/** Whether `at` lies in the window (inclusive). */
export const within = (at: string, w: { start: string; end: string }) =>
  ms(at) >= ms(w.start) && ms(at) <= ms(w.end);
