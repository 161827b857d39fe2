// The lab's real Ceph cluster (Debian's Pacific packages): three mons, one mgr and three memstore
// OSDs on loopback with cephx, everything under <state dir>/ceph, each daemon a lab daemon with
// its own pid file and log. memstore keeps objects in memory: an OSD restarted alone recovers
// them from its peers, but a cluster stopped whole has lost them, so every start creates it anew.
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning, startDaemon, stopDaemons } from '../daemon';
import { freeLoopbackPorts } from '../ports';
import { waitFor } from '../wait';
import { ceph, cephJson, runOk } from './cli';
import {
  CEPH_DAEMONS,
  CephDaemon,
  cephName,
  CephLayout,
  MGR_ID,
  MON_IDS,
  OSD_IDS,
  processName,
} from './layout';

/** The pool the lab writes objects to, so PGs hold data and a stopped OSD degrades them. */
const DATA_POOL = 'lab-data';
const DATA_PGS = 8;
const DATA_OBJECTS = 8;

const ADMIN_CAPS = ['mon', 'allow *', 'osd', 'allow *', 'mgr', 'allow *', 'mds', 'allow *'];

function cephConf(layout: CephLayout, fsid: string, monPorts: number[]): string {
  const d = layout.dir;
  return `[global]
fsid = ${fsid}
mon host = ${monPorts.map((p) => `[v2:127.0.0.1:${p}]`).join(',')}
public addr = 127.0.0.1
ms bind ipv4 = true
ms bind msgr1 = false
run dir = ${d}/run
log file = ${d}/log/$name.log
admin socket = ${d}/run/$name.asok
pid file = ${d}/run/$name.pid
keyring = ${d}/$name/keyring
mon data = ${d}/$name
mgr data = ${d}/$name
osd data = ${d}/$name
osd objectstore = memstore
memstore device bytes = 268435456
osd pool default size = 3
osd pool default min size = 2
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool delete = true
mon warn on pool no redundancy = false
# A clean HEALTH_OK baseline: a shared disk is often below the 30 % that raises MON_DISK_LOW,
# and only clients that reclaim global_id securely exist here.
mon data avail warn = 1
auth allow insecure global id reclaim = false
[client]
# Clients (the ceph CLI, rados) need no admin socket or log file of their own.
admin socket =
log file =
`;
}

export function startCephDaemon(stateDir: string, layout: CephLayout, d: CephDaemon): void {
  startDaemon(stateDir, {
    name: processName(d),
    command: `ceph-${d.type}`,
    // In the foreground, so the lab daemon record is the Ceph daemon itself.
    args: ['--conf', layout.conf, '--id', d.id, '--foreground'],
    cwd: layout.dir,
  });
}

/** SIGTERM: a mon leaves quorum, an OSD tells the mons it is going down, as in a pod restart. */
export async function stopCephDaemon(stateDir: string, d: CephDaemon): Promise<void> {
  await stopDaemons(stateDir, [processName(d)], 30_000);
}

export const cephDaemonRunning = (stateDir: string, d: CephDaemon) =>
  isRunning(stateDir, processName(d));

/** Stops every Ceph daemon: OSDs first, while the mons can still record them down. */
export async function stopCephCluster(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, [...CEPH_DAEMONS].reverse().map(processName), 30_000);
}

/** Creates the cluster anew (see above) and resolves once it is HEALTH_OK with data in its PGs. */
export async function startCephCluster(stateDir: string, layout: CephLayout): Promise<void> {
  rmSync(layout.dir, { recursive: true, force: true });
  await createCephCluster(stateDir, layout);
  await waitForHealthOk(layout, 180_000);
}

async function createCephCluster(stateDir: string, layout: CephLayout): Promise<void> {
  const d = layout.dir;
  for (const sub of ['run', 'log', 'client.admin']) mkdirSync(join(d, sub), { recursive: true });
  const fsid = randomUUID();
  const monPorts = await freeLoopbackPorts(MON_IDS.length);

  const monKeyring = join(d, 'mon.keyring');
  await runOk('ceph-authtool', [
    '--create-keyring',
    monKeyring,
    '--gen-key',
    '-n',
    'mon.',
    '--cap',
    'mon',
    'allow *',
  ]);
  const capArgs = ADMIN_CAPS.flatMap((c, i) => (i % 2 === 0 ? ['--cap', c] : [c]));
  await runOk('ceph-authtool', [
    '--create-keyring',
    layout.adminKeyring,
    '--gen-key',
    '-n',
    'client.admin',
    ...capArgs,
  ]);
  await runOk('ceph-authtool', [monKeyring, '--import-keyring', layout.adminKeyring]);
  const monmap = join(d, 'monmap');
  await runOk('monmaptool', [
    '--create',
    '--fsid',
    fsid,
    ...MON_IDS.flatMap((id, i) => ['--addv', id, `[v2:127.0.0.1:${monPorts[i]}]`]),
    monmap,
  ]);
  writeFileSync(layout.conf, cephConf(layout, fsid, monPorts));
  for (const id of MON_IDS) {
    await runOk('ceph-mon', [
      '--conf',
      layout.conf,
      '--mkfs',
      '--id',
      id,
      '--monmap',
      monmap,
      '--keyring',
      monKeyring,
    ]);
  }
  for (const id of MON_IDS) startCephDaemon(stateDir, layout, { type: 'mon', id });
  await waitFor('Ceph mon quorum', async () => {
    const q = await cephJson<{ quorum_names: string[] }>(layout, ['quorum_status']);
    return q.quorum_names.length === MON_IDS.length || `quorum ${q.quorum_names.join(',')}`;
  });

  const mgr: CephDaemon = { type: 'mgr', id: MGR_ID };
  mkdirSync(join(d, cephName(mgr)), { recursive: true });
  await ceph(layout, [
    'auth',
    'get-or-create',
    cephName(mgr),
    'mon',
    'allow profile mgr',
    'osd',
    'allow *',
    'mds',
    'allow *',
    '-o',
    join(d, cephName(mgr), 'keyring'),
  ]);
  startCephDaemon(stateDir, layout, mgr);

  await Promise.all(OSD_IDS.map((id) => createOsd(stateDir, layout, id)));
  await ceph(layout, ['osd', 'pool', 'create', DATA_POOL, String(DATA_PGS), String(DATA_PGS)]);
  await ceph(layout, ['osd', 'pool', 'application', 'enable', DATA_POOL, 'rbd']);
  await waitForHealthOk(layout, 180_000);
  const object = join(d, 'object.txt');
  writeFileSync(object, 'steward lab object\n');
  for (let i = 0; i < DATA_OBJECTS; i++) {
    await runOk('rados', [
      '--conf',
      layout.conf,
      '--pool',
      DATA_POOL,
      'put',
      `object-${i}`,
      object,
    ]);
  }
}

/** `ceph osd new` with a fresh cephx secret (on stdin, never in argv), mkfs, start. */
async function createOsd(stateDir: string, layout: CephLayout, expectedId: string): Promise<void> {
  const uuid = randomUUID();
  const secret = (await runOk('ceph-authtool', ['--gen-print-key'])).trim();
  // Run one at a time by the mons; ids are handed out in order, so OSD n is created n-th.
  const id = (
    await ceph(
      layout,
      ['osd', 'new', uuid, expectedId, '-i', '-'],
      JSON.stringify({ cephx_secret: secret }),
    )
  ).trim();
  const dir = join(layout.dir, `osd.${id}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'keyring'), `[osd.${id}]\n\tkey = ${secret}\n`, { mode: 0o600 });
  await runOk('ceph-osd', ['--conf', layout.conf, '--id', id, '--mkfs', '--osd-uuid', uuid]);
  startCephDaemon(stateDir, layout, { type: 'osd', id });
}

/** Waits until the cluster is HEALTH_OK with every PG active+clean (as the mgr last saw them). */
export async function waitForHealthOk(layout: CephLayout, timeoutMs: number): Promise<void> {
  interface Status {
    health: { status: string; checks: Record<string, unknown> };
    pgmap: { num_pgs: number; pgs_by_state?: { state_name: string; count: number }[] };
  }
  await waitFor(
    'Ceph HEALTH_OK and every PG active+clean',
    async () => {
      const { health, pgmap } = await cephJson<Status>(layout, ['status']);
      // The mgr's pgmap lags the osdmap: a new pool's PGs are missing from it, then `unknown`.
      const pools = await cephJson<{ pg_num: number }[]>(layout, ['osd', 'pool', 'ls', 'detail']);
      const expected = pools.reduce((sum, p) => sum + p.pg_num, 0);
      const states = pgmap.pgs_by_state ?? [];
      const clean = states.find((s) => s.state_name === 'active+clean')?.count ?? 0;
      return (
        (health.status === 'HEALTH_OK' && expected > 0 && clean === expected) ||
        `${health.status} ${Object.keys(health.checks).join(', ')}; PGs ${states
          .map((s) => `${s.count} ${s.state_name}`)
          .join(', ')} of ${expected}`
      );
    },
    { timeoutMs, intervalMs: 500 },
  );
}
