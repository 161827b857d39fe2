// Reads Ceph's JSON output (`--format json`) into the facts Steward reports. Pure, so unit
// tests run it on outputs captured from a real cluster (test/fixtures/ceph*/).
import {
  pgStateClean,
  type CephHealth,
  type CephMonQuorum,
  type CephOsd,
  type CephPg,
  type CephPgStates,
} from '../../workflows/policy/ceph-health-gate';

export interface CephOkToStop {
  okToStop: boolean;
  osds: number[];
  /** PGs that would stay active but degraded / become inactive if the OSDs stopped. */
  pgsBecomeDegraded: string[];
  pgsBecomeInactive: string[];
  /** Ceph's reason when it is not ok (its stderr, e.g. "Error EBUSY: unsafe to stop ..."). */
  reason?: string;
}

/** `ceph versions`: per daemon type, how many daemons run which version string. */
export type CephVersions = Record<string, Record<string, number>>;

interface HealthJson {
  status: string;
  checks: Record<
    string,
    {
      severity: string;
      summary: { message: string };
      detail?: { message: string }[];
      muted?: boolean;
    }
  >;
}

/** `ceph health detail`. */
export function parseHealth(json: unknown): CephHealth {
  const h = json as HealthJson;
  return {
    status: h.status,
    checks: Object.entries(h.checks ?? {})
      .map(([code, c]) => ({
        code,
        severity: c.severity,
        summary: c.summary.message,
        details: (c.detail ?? []).map((d) => d.message),
        muted: c.muted ?? false,
      }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  };
}

type PgBrief = { pgid: string; state: string; acting: number[] };

/** `ceph pg dump pgs_brief` (Pacific and later wrap the list in `pg_stats`). */
export function parsePgStates(json: unknown): CephPgStates {
  const pgs: PgBrief[] = Array.isArray(json)
    ? json
    : ((json as { pg_stats?: PgBrief[] }).pg_stats ?? []);
  const counts = new Map<string, number>();
  for (const p of pgs) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
  const notClean: CephPg[] = pgs
    .filter((p) => !pgStateClean(p.state))
    .map((p) => ({ pgid: p.pgid, state: p.state, acting: p.acting }))
    .sort((a, b) => a.pgid.localeCompare(b.pgid, 'en', { numeric: true }));
  return {
    total: pgs.length,
    byState: [...counts]
      .map(([state, count]) => ({ state, count }))
      .sort((a, b) => b.count - a.count),
    notClean,
  };
}

/** `ceph quorum_status`. */
export function parseQuorum(json: unknown): CephMonQuorum {
  const q = json as {
    quorum_names: string[];
    quorum_leader_name?: string;
    monmap: { mons: { name: string }[] };
  };
  return {
    mons: q.monmap.mons.map((m) => m.name),
    quorum: [...q.quorum_names].sort(),
    leader: q.quorum_leader_name ?? '',
  };
}

/** `ceph osd dump`. */
export function parseOsds(json: unknown): CephOsd[] {
  const d = json as { osds: { osd: number; up: number; in: number }[] };
  return d.osds.map((o) => ({ id: o.osd, up: o.up === 1, in: o.in === 1 }));
}

/**
 * `ceph osd ok-to-stop IDS`: JSON on stdout either way; unsafe exits 16 (EBUSY) with the reason
 * on stderr. Undefined when stdout holds no such JSON (the command itself failed).
 */
export function parseOkToStop(stdout: string, stderr: string): CephOkToStop | undefined {
  let j: {
    ok_to_stop?: boolean;
    osds?: number[];
    ok_become_degraded?: string[];
    bad_become_inactive?: string[];
  };
  try {
    j = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (typeof j?.ok_to_stop !== 'boolean') return undefined;
  return {
    okToStop: j.ok_to_stop,
    osds: j.osds ?? [],
    pgsBecomeDegraded: j.ok_become_degraded ?? [],
    pgsBecomeInactive: j.bad_become_inactive ?? [],
    ...(j.ok_to_stop ? {} : { reason: stderr.trim() }),
  };
}
