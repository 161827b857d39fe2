// The Ceph health gate of a storage upgrade: pure, so the workflow and unit tests share it.
// Stricter than Rook's own check (which refuses only HEALTH_ERR): it passes only when Ceph is
// HEALTH_OK (but for warnings the operator allows), every PG is clean (active+clean, also while
// it scrubs or trims snapshots), every mon is in quorum and every OSD is up and in; each failure
// names its check and quotes Ceph.

/** One check of `ceph health detail`. */
export interface CephHealthCheck {
  /** Ceph's code, e.g. OSD_DOWN, PG_DEGRADED, MON_DOWN. */
  code: string;
  severity: string;
  /** Ceph's summary message, e.g. "1 osds down". */
  summary: string;
  /** Ceph's detail messages, e.g. "osd.1 (root=default,host=vm) is down". */
  details: string[];
  muted: boolean;
}

export interface CephHealth {
  /** HEALTH_OK, HEALTH_WARN or HEALTH_ERR. */
  status: string;
  checks: CephHealthCheck[];
}

export interface CephPg {
  pgid: string;
  state: string;
  acting: number[];
}

export interface CephPgStates {
  total: number;
  byState: { state: string; count: number }[];
  /** Every PG that is not clean (pgStateClean). */
  notClean: CephPg[];
}

/**
 * What a clean PG may do besides being active+clean: scrub (scrubbing, scrubbing+deep) and trim
 * snapshots (snaptrim, snaptrim_wait). Ceph keeps the clean bit through them, and every cluster
 * that scrubs has a few such PGs at any time; anything else (degraded, peering, remapped,
 * inconsistent, laggy, ...) is not clean.
 */
const CLEAN_ACTIVITIES = new Set(['scrubbing', 'deep', 'snaptrim', 'snaptrim_wait']);

/** "active+clean", "active+clean+scrubbing+deep", "active+clean+snaptrim_wait": clean. */
export function pgStateClean(state: string): boolean {
  const parts = state.split('+');
  return (
    parts.includes('active') &&
    parts.includes('clean') &&
    parts.every((p) => p === 'active' || p === 'clean' || CLEAN_ACTIVITIES.has(p))
  );
}

export interface CephMonQuorum {
  /** Every mon in the monmap, by name. */
  mons: string[];
  /** The mons in quorum. */
  quorum: string[];
  leader: string;
}

export interface CephOsd {
  id: number;
  up: boolean;
  in: boolean;
}

/** What the gate judges, as the Ceph activities report it. */
export interface CephHealthFacts {
  health: CephHealth;
  pgs: CephPgStates;
  quorum: CephMonQuorum;
  osds: CephOsd[];
}

export type CephGateCheck = 'health' | 'pgs' | 'quorum' | 'osds';

export interface CephGateFailure {
  check: CephGateCheck;
  /** What failed, in Ceph's own words where Ceph said it. */
  message: string;
}

export interface CephGateVerdict {
  pass: boolean;
  failures: CephGateFailure[];
  /** Warnings that the allow-list let pass, by code. */
  allowed: string[];
}

export interface CephGateOptions {
  /** Health check codes that do not fail the gate (e.g. ["OSDMAP_FLAGS"] while noout is set). */
  allowedWarnings?: readonly string[];
}

/** At most this many of Ceph's detail lines (or PGs) are quoted per failure. */
const QUOTED = 5;

export function cephHealthGate(
  facts: CephHealthFacts,
  { allowedWarnings = [] }: CephGateOptions = {},
): CephGateVerdict {
  const failures: CephGateFailure[] = [];
  const allowed: string[] = [];
  for (const c of facts.health.checks) {
    if (c.severity === 'HEALTH_WARN' && (c.muted || allowedWarnings.includes(c.code))) {
      allowed.push(c.code);
      continue;
    }
    failures.push({ check: 'health', message: checkMessage(c) });
  }
  if (facts.health.status !== 'HEALTH_OK' && failures.length === 0 && allowed.length === 0) {
    failures.push({ check: 'health', message: `${facts.health.status} with no health checks` });
  }

  const { pgs } = facts;
  if (pgs.total === 0) {
    failures.push({ check: 'pgs', message: 'no PGs reported (is the mgr running?)' });
  } else {
    const unclean = pgs.byState.filter((s) => !pgStateClean(s.state));
    const count = unclean.reduce((n, s) => n + s.count, 0);
    if (count > 0) {
      const states = unclean.map((s) => `${s.count} ${s.state}`).join(', ');
      const notClean = pgs.notClean.filter((p) => !pgStateClean(p.state));
      const listed = notClean.slice(0, QUOTED).map((p) => `pg ${p.pgid} is ${p.state}`);
      failures.push({
        check: 'pgs',
        message: `${count} of ${pgs.total} PGs not active+clean (${states}): ${more(listed, notClean.length)}`,
      });
    }
  }

  const outOfQuorum = facts.quorum.mons.filter((m) => !facts.quorum.quorum.includes(m));
  if (outOfQuorum.length > 0) {
    failures.push({
      check: 'quorum',
      message: `${outOfQuorum.map((m) => `mon.${m}`).join(', ')} out of quorum (quorum ${facts.quorum.quorum.join(',') || 'none'})`,
    });
  }

  const down = facts.osds.filter((o) => !o.up).map((o) => `osd.${o.id}`);
  const out = facts.osds.filter((o) => !o.in).map((o) => `osd.${o.id}`);
  if (facts.osds.length === 0) failures.push({ check: 'osds', message: 'no OSDs in the OSD map' });
  if (down.length > 0) failures.push({ check: 'osds', message: `${down.join(', ')} down` });
  if (out.length > 0) failures.push({ check: 'osds', message: `${out.join(', ')} out` });

  return { pass: failures.length === 0, failures, allowed };
}

/** "OSD_DOWN: 1 osds down (osd.1 (root=default,host=vm) is down)". */
function checkMessage(c: CephHealthCheck): string {
  const details =
    c.details.length > 0 ? ` (${more(c.details.slice(0, QUOTED), c.details.length)})` : '';
  return `${c.code} [${c.severity}]: ${c.summary}${details}`;
}

function more(quoted: string[], total: number): string {
  return quoted.join('; ') + (total > quoted.length ? `; and ${total - quoted.length} more` : '');
}

/** One line on Ceph's state: "HEALTH_OK; 9 PGs: 9 active+clean; quorum a,b,c of 3 mons; 3 of 3 OSDs up, 3 in". */
export function describeCephHealth(facts: CephHealthFacts): string {
  const states = facts.pgs.byState.map((s) => `${s.count} ${s.state}`).join(', ') || 'none';
  const up = facts.osds.filter((o) => o.up).length;
  const inCount = facts.osds.filter((o) => o.in).length;
  return [
    facts.health.status,
    `${facts.pgs.total} PGs: ${states}`,
    `quorum ${facts.quorum.quorum.join(',') || 'none'} of ${facts.quorum.mons.length} mons`,
    `${up} of ${facts.osds.length} OSDs up, ${inCount} in`,
  ].join('; ');
}
