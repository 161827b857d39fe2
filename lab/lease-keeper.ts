// A safety net for KWOK v0.8's node leases, run by the lab daemon `lab-physics`.
//
// KWOK renews each node's Lease from a delaying queue. When a node's kubelet is stopped and
// started again (lab/kubelet.ts, the upgrade physics) while KWOK is renewing that node's lease,
// the node ends up queued twice; KWOK's heap (pkg/utils/heap) keeps one entry it can no longer
// remove, that entry reaches the head, and from then on no lease in that queue is renewed again.
// Every node then flips Unknown and back to Ready every grace period, and the node lifecycle
// controller marks its pods NotReady for good (KWOK only readies Pending pods), which blocks
// every PodDisruptionBudget. With a few restarts it is rare; an upgrade of hundreds of nodes
// meets it every time.
//
// The keeper renews, every few seconds, the lease of each node whose kubelet runs (label
// `lab.steward.dev/kubelet=running`) once KWOK has let it go stale. A stopped kubelet's lease
// still expires, as a powered-off host's would.
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { KUBELET_LABEL } from './kubernetes';

/**
 * A lease KWOK renews on time is at most its renew interval old (lease duration / 4 = 10 s); one
 * the keeper renews is at most this + its interval + one pass old, well within the controller
 * manager's 30 s grace.
 */
export const STALE_LEASE_MS = 12_000;
const INTERVAL_MS = 3_000;
const PARALLEL_RENEWALS = 32;
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** A Lease's MicroTime: RFC 3339 with exactly six fractional digits, or the apiserver says 422. */
const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const log = (message: string) => console.log(`${new Date().toISOString()} ${message}`);

/** Renews the stale leases of running nodes once; returns their names. */
export async function renewStaleLeases(kc: KubeConfig, now = new Date()): Promise<string[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const [nodes, leases] = await Promise.all([
    // resourceVersion 0: from the apiserver's cache, cheap with a thousand nodes.
    core.listNode({
      labelSelector: `${KUBELET_LABEL.key}=${KUBELET_LABEL.running}`,
      resourceVersion: '0',
    }),
    coordination.listNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, resourceVersion: '0' }),
  ]);
  const running = new Set(nodes.items.map((n) => n.metadata?.name));
  const stale = leases.items
    .filter((l) => running.has(l.metadata?.name))
    .filter((l) => {
      const renewed = l.spec?.renewTime ? new Date(l.spec.renewTime).getTime() : 0;
      return now.getTime() - renewed > STALE_LEASE_MS;
    })
    .map((l) => l.metadata!.name!);
  const queue = [...stale];
  const renew = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      await coordination.patchNamespacedLease(
        {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          body: { spec: { renewTime: microTime(new Date()) } },
        },
        mergePatch,
      );
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_RENEWALS }, renew));
  return stale;
}

/** Renews stale leases every few seconds until `signal` aborts (started with the upgrade physics). */
export async function keepLeases(kc: KubeConfig, signal: AbortSignal): Promise<void> {
  log('lease keeper running');
  while (!signal.aborted) {
    try {
      const t0 = Date.now();
      const renewed = await renewStaleLeases(kc);
      if (renewed.length > 0)
        log(
          `lease keeper: renewed ${renewed.length} lease(s) KWOK let go stale in ${Date.now() - t0} ms`,
        );
    } catch (err) {
      log(`lease keeper: ${err instanceof Error ? err.message : String(err)}`);
    }
    await sleep(INTERVAL_MS, undefined, { signal }).catch(() => undefined);
  }
}
