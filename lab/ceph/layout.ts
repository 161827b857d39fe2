// Where the lab's Ceph cluster lives in the state dir, and which daemons it runs.
import { join } from 'node:path';

export interface CephLayout {
  dir: string;
  conf: string;
  /** client.admin's keyring; the conf names it too (`keyring = <dir>/$name/keyring`). */
  adminKeyring: string;
}

export const cephLayout = (stateDir: string): CephLayout => {
  const dir = join(stateDir, 'ceph');
  return {
    dir,
    conf: join(dir, 'ceph.conf'),
    adminKeyring: join(dir, 'client.admin', 'keyring'),
  };
};

export type CephDaemonType = 'mon' | 'mgr' | 'osd';

export interface CephDaemon {
  type: CephDaemonType;
  id: string;
}

/** Three mons, so one can be out of quorum while the cluster stays reachable. */
export const MON_IDS = ['a', 'b', 'c'] as const;
export const MGR_ID = 'a';
export const OSD_IDS = ['0', '1', '2'] as const;

/** Every daemon, in the order Rook restarts them in an upgrade: mons, then the mgr, then OSDs. */
export const CEPH_DAEMONS: readonly CephDaemon[] = [
  ...MON_IDS.map((id) => ({ type: 'mon' as const, id })),
  { type: 'mgr', id: MGR_ID },
  ...OSD_IDS.map((id) => ({ type: 'osd' as const, id })),
];

/** Ceph's name of a daemon: `mon.a`, `osd.2`. */
export const cephName = (d: CephDaemon) => `${d.type}.${d.id}`;
/** The lab daemon (pid file, log) running it: `ceph-mon-a`. */
export const processName = (d: CephDaemon) => `ceph-${d.type}-${d.id}`;
/** Rook's Deployment for it: `rook-ceph-mon-a`. */
export const deploymentName = (d: CephDaemon) => `rook-ceph-${d.type}-${d.id}`;

/** `mon.a` → the daemon, or undefined when the lab runs no such daemon. */
export function parseCephName(name: string): CephDaemon | undefined {
  return CEPH_DAEMONS.find((d) => cephName(d) === name);
}
