// The plan of a Rook/Ceph upgrade and how far Rook's roll has come: which changes to make (Rook's
// operator first, then the Ceph image), refused up front naming the input field, and per daemon
// group (mons, the mgr, OSDs, then MDS, RGW, NFS, rbd-mirror and crash collectors where the
// cluster runs them, Rook's order) which daemons still run the old version.
import { z } from 'zod';
import { invalidInput } from '../api';
import { clusterName, parseInput } from './drain-input';
import {
  cephImageStep,
  notCephImage,
  notRookVersion,
  parseCephImage,
  rookUpgradeStep,
} from './rook-version';
import { maintenanceWindowsSchema } from './maintenance-window';

const MAX_SECONDS = 7 * 24 * 3600;

const seconds = (fallback: number) =>
  z
    .number()
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(MAX_SECONDS, `must be at most ${MAX_SECONDS} (7 days)`)
    .default(fallback);

const rookCephUpgradeInput = z.strictObject({
  cluster: clusterName,
  /** The Rook chart (and operator) version, e.g. v1.16.7. */
  rook: z.string().min(1, 'must not be empty').optional(),
  /** The Ceph image, tagged with its version, e.g. quay.io/ceph/ceph:v18.2.4. */
  ceph: z.string().min(1, 'must not be empty').optional(),
  /** Seconds the cluster settles after a change or a daemon group before a gate reads it. */
  pauseSeconds: seconds(5),
  /** Seconds a gate may fail (in a roll: since Rook's last restart) before the upgrade asks. */
  gateTimeoutSeconds: seconds(600).refine((s) => s > 0, 'must be greater than 0'),
  /** The upgrade, its first gate included, starts only inside this window. */
  window: maintenanceWindowsSchema.optional(),
});

export type RookCephUpgradeRequest = z.output<typeof rookCephUpgradeInput>;

/** Checks the input's shape: at least one of rook and ceph, each well-formed. */
export function parseRookCephUpgradeInput(input: unknown): RookCephUpgradeRequest {
  const parsed = parseInput(rookCephUpgradeInput, input);
  if (parsed.rook === undefined && parsed.ceph === undefined) {
    throw invalidInput('rook', 'give a Rook version, a Ceph image or both');
  }
  const notRook = parsed.rook === undefined ? undefined : notRookVersion(parsed.rook);
  if (notRook) throw invalidInput('rook', notRook);
  const notImage = parsed.ceph === undefined ? undefined : notCephImage(parsed.ceph);
  if (notImage) throw invalidInput('ceph', notImage);
  return parsed;
}

/**
 * Rook's daemon groups in the order its operator rolls them (the Deployments' ceph_daemon_type;
 * crash collectors carry none, activities/ceph/rook.ts names them `crashcollector`).
 */
export const DAEMON_GROUPS = [
  'mon',
  'mgr',
  'osd',
  'mds',
  'rgw',
  'nfs',
  'rbd-mirror',
  'crashcollector',
] as const;
export type DaemonGroup = (typeof DAEMON_GROUPS)[number];

/** Every Ceph cluster runs these; the others only with a filesystem, object store, NFS, ... */
const REQUIRED_GROUPS: readonly DaemonGroup[] = ['mon', 'mgr', 'osd'];

export const GROUP_NAMES: Record<DaemonGroup, string> = {
  mon: 'mons',
  mgr: 'mgr',
  osd: 'OSDs',
  mds: 'MDS daemons',
  rgw: 'RGW daemons',
  nfs: 'NFS servers',
  'rbd-mirror': 'rbd-mirror daemons',
  crashcollector: 'crash collectors',
};

/** A Ceph daemon as Rook's Deployment of it shows it (activities/ceph/rook.ts reads them). */
export interface RookDaemon {
  /** The Deployment, e.g. rook-ceph-osd-1. */
  deployment: string;
  /** mon, mgr, osd, ... (label ceph_daemon_type). */
  type: string;
  id: string;
  /** Labels Rook sets once it rolled the daemon: rook-version v1.15.3, ceph-version 18.2.4-0. */
  rookVersion?: string;
  cephVersion?: string;
  image?: string;
  /** Its Deployment's rollout finished with every replica available. */
  rolledOut: boolean;
}

/** What a daemon must show once rolled: the operator's version label, or the image and its Ceph version. */
export type RollTarget = { rook: string } | { ceph: string };

/** The upgrade's targets in words: "Rook v1.16.7, quay.io/ceph/ceph:v18.2.6". */
export const describeTargets = (input: { rook?: string; ceph?: string }) =>
  [input.rook && `Rook ${input.rook}`, input.ceph].filter(Boolean).join(', ');

export const describeTarget = (t: RollTarget) => ('rook' in t ? `Rook ${t.rook}` : t.ceph);

/** Rook's `ceph-version` label (18.2.4-0) against the image's tag (v18.2.4, v18.2.4-20240311). */
function runsImageVersion(label: string | undefined, image: string): boolean {
  const tag = parseCephImage(image);
  const m = /^(\d+)\.(\d+)\.(\d+)(-\d+)?$/.exec(label ?? '');
  return (
    !!tag &&
    !!m &&
    Number(m[1]) === tag.major &&
    Number(m[2]) === tag.minor &&
    Number(m[3]) === tag.patch
  );
}

export function daemonRolled(d: RookDaemon, target: RollTarget): boolean {
  if (!d.rolledOut) return false;
  if ('rook' in target) return d.rookVersion === target.rook;
  return d.image === target.ceph && runsImageVersion(d.cephVersion, target.ceph);
}

export interface GroupProgress {
  group: DaemonGroup;
  /** Deployments of the group at the target. */
  rolled: string[];
  /** Deployments of the group not yet at the target, with what they show. */
  pending: string[];
}

/** Where the roll of `group` stands; a group with no daemons is refused (Rook would have some). */
export function groupProgress(
  daemons: RookDaemon[],
  group: DaemonGroup,
  target: RollTarget,
): GroupProgress {
  const members = daemons.filter((d) => d.type === group);
  const shown = (d: RookDaemon) =>
    'rook' in target
      ? `${d.deployment} at Rook ${d.rookVersion ?? 'unknown'}`
      : `${d.deployment} at ${d.image ?? 'no image'} (ceph-version ${d.cephVersion ?? 'unknown'})`;
  return {
    group,
    rolled: members.filter((d) => daemonRolled(d, target)).map((d) => d.deployment),
    pending: members
      .filter((d) => !daemonRolled(d, target))
      .map((d) => (d.rolledOut ? shown(d) : `${shown(d)}, rollout not finished`)),
  };
}

/** How many daemons (of every group) are at the target: Rook's roll progresses when it grows. */
export const rolledCount = (daemons: RookDaemon[], target: RollTarget) =>
  daemons.filter((d) => daemonRolled(d, target)).length;

export const groupDone = (p: GroupProgress) => p.pending.length === 0 && p.rolled.length > 0;

/** The cluster as the plan judges it (readRookCluster's facts, trimmed). */
export interface RookUpgradeFacts {
  cephCluster: { image?: string };
  operator: { version?: string; replicas?: number };
  daemons: RookDaemon[];
}

export interface RookCephChange {
  from: string;
  to: string;
  /** Already there: nothing to change, only the roll to confirm and the gates. */
  noop: boolean;
}

export interface RookCephPlan {
  cluster: string;
  rook?: RookCephChange;
  ceph?: RookCephChange;
  /** Daemons per group as Rook rolls them; only the groups the cluster runs. */
  groups: { group: DaemonGroup; daemons: string[] }[];
}

/** Refuses what Rook does not support (a downgrade, a skipped minor) before anything changes. */
export function rookCephPlan(
  input: Pick<RookCephUpgradeRequest, 'cluster' | 'rook' | 'ceph'>,
  facts: RookUpgradeFacts,
): RookCephPlan {
  if (facts.operator.replicas === 0) {
    throw invalidInput(
      'cluster',
      'the Rook operator is scaled to 0 (an upgrade stopped it, or someone did): scale it back to 1 once the cluster is healthy, then upgrade',
    );
  }
  const groups = DAEMON_GROUPS.map((group) => ({
    group,
    daemons: facts.daemons.filter((d) => d.type === group).map((d) => d.deployment),
  }));
  const plan: RookCephPlan = {
    cluster: input.cluster,
    groups: groups.filter((g) => g.daemons.length > 0),
  };
  const missing = groups
    .filter((g) => g.daemons.length === 0 && REQUIRED_GROUPS.includes(g.group))
    .map((g) => g.group);
  if (missing.length > 0) {
    throw invalidInput('cluster', `Rook runs no ${missing.join(', ')} daemons in this cluster`);
  }
  if (input.rook !== undefined) {
    const from = facts.operator.version ?? 'unknown';
    const step = rookUpgradeStep(from, input.rook);
    if (!step.ok) throw invalidInput(step.field, step.reason);
    plan.rook = { from, to: input.rook, noop: step.noop };
  }
  if (input.ceph !== undefined) {
    const from = facts.cephCluster.image ?? 'unknown';
    const step = cephImageStep(from, input.ceph);
    if (!step.ok) throw invalidInput(step.field, step.reason);
    plan.ceph = { from, to: input.ceph, noop: step.noop };
  }
  return plan;
}
