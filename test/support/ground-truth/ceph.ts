// A sampler of Ceph beside a run, through the real `ceph` CLI: PG counts per state
// (`ceph pg dump pgs_brief`) and each daemon's incarnation (an OSD's up_from epoch from
// `ceph osd dump`, the active mgr's gid from `ceph mgr dump`, each mon's quorum membership from
// `ceph status`), so that a restart shows as a change between two looks.
import type { CephConnection } from '../../../lab';
import { runOk } from '../../../lab/ceph/cli';
import type { CephSample } from './records';
import { startSampler } from './sampler';

type PgBrief = { pgid: string; state: string }[] | { pg_stats?: { pgid: string; state: string }[] };

interface Dumps {
  pgs: PgBrief;
  osds: { osds: { osd: number; up: number; up_from: number }[] };
  mgr: { active_gid: number; active_name: string; available: boolean };
  status: { quorum_names?: string[]; monmap?: { mons?: { name: string }[] } };
  /** All mons, from `ceph mon dump`. */
  mons: { mons: { name: string }[] };
}

/** One sample from the CLI's JSON answers. */
export function cephSample(at: string, d: Dumps): CephSample {
  const pgs = Array.isArray(d.pgs) ? d.pgs : (d.pgs.pg_stats ?? []);
  const pgStates: Record<string, number> = {};
  for (const pg of pgs) pgStates[pg.state] = (pgStates[pg.state] ?? 0) + 1;
  const daemons: Record<string, string> = {};
  for (const o of d.osds.osds) daemons[`osd.${o.osd}`] = o.up ? `up_from ${o.up_from}` : 'down';
  if (d.mgr.active_name)
    daemons[`mgr.${d.mgr.active_name}`] = d.mgr.available ? `gid ${d.mgr.active_gid}` : 'down';
  const quorum = new Set(d.status.quorum_names ?? []);
  for (const m of d.mons.mons) daemons[`mon.${m.name}`] = quorum.has(m.name) ? 'in quorum' : 'down';
  return { at, pgStates, daemons };
}

/** Samples the lab's Ceph every `intervalMs`. */
export function sampleCeph(connection: CephConnection, intervalMs = 2000) {
  const json = async (args: string[]) =>
    JSON.parse(
      await runOk('ceph', [
        ...['--conf', connection.conf, '--keyring', connection.keyring],
        ...['--connect-timeout', '10', ...args, '--format', 'json'],
      ]),
    ) as unknown;
  return startSampler<CephSample>(intervalMs, async () => {
    const at = new Date().toISOString();
    const [pgs, osds, mgr, status, mons] = await Promise.all([
      json(['pg', 'dump', 'pgs_brief']),
      json(['osd', 'dump']),
      json(['mgr', 'dump']),
      json(['status']),
      json(['mon', 'dump']),
    ]);
    return [cephSample(at, { pgs, osds, mgr, status, mons } as Dumps)];
  });
}
