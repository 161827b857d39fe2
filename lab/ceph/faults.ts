// Faults a test switches on the lab's Ceph. A daemon fault is an annotation on the daemon's
// Deployment that the lab Rook operator plays; the degraded PG is made in Ceph itself.
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ceph, runOk } from './cli';
import { cephLayout, deploymentName, parseCephName } from './layout';
import { ROOK_NAMESPACE } from './rook-objects';

export const DAEMON_FAULT_ANNOTATION = 'lab.steward.dev/fault';
/**
 * `down`: the daemon is stopped now and stays down (a crashed OSD, a mon out of quorum).
 * `stays-down`: the daemon's next restart (an upgrade rolling it) does not come back.
 * Clearing either starts the daemon again.
 */
export type DaemonFault = 'down' | 'stays-down';

/** Sets (or with `undefined` clears) a fault on a daemon named as Ceph names it: `osd.1`, `mon.c`. */
export async function setCephDaemonFault(
  kubeconfig: string,
  daemon: string,
  fault: DaemonFault | undefined,
): Promise<void> {
  const d = parseCephName(daemon);
  if (!d) throw new Error(`no lab Ceph daemon named ${daemon}`);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
    {
      name: deploymentName(d),
      namespace: ROOK_NAMESPACE,
      body: { metadata: { annotations: { [DAEMON_FAULT_ANNOTATION]: fault ?? null } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The pool holding the PG that stays degraded. */
const DEGRADED_POOL = 'lab-degraded';

/**
 * Makes one PG stay active+undersized+degraded, or lets it recover: a one-PG pool holding an
 * object asks for four replicas of it where three OSDs can hold only three.
 */
export async function setPgStaysDegraded(stateDir: string, degraded: boolean): Promise<void> {
  const layout = cephLayout(stateDir);
  const pools = await ceph(layout, ['osd', 'pool', 'ls']);
  if (!pools.split('\n').includes(DEGRADED_POOL)) {
    await ceph(layout, ['osd', 'pool', 'create', DEGRADED_POOL, '1', '1']);
    await ceph(layout, ['osd', 'pool', 'application', 'enable', DEGRADED_POOL, 'rbd']);
    const object = join(layout.dir, 'degraded-object.txt');
    writeFileSync(object, 'an object in the PG that stays degraded\n');
    await runOk('rados', ['--conf', layout.conf, '--pool', DEGRADED_POOL, 'put', 'object', object]);
  }
  await ceph(layout, ['osd', 'pool', 'set', DEGRADED_POOL, 'size', degraded ? '4' : '3']);
}
