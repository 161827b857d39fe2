// The facts a reinstall's power-off is judged on, read on every attempt right before the power
// command (never carried over a wait): the pods a drain would evict still bound to the node, the
// Nova instances on a hypervisor, Ceph's ok-to-stop for the OSDs the host runs.
import type { PodFacts } from './policy/pod-filters';
import { hostCalls, kubernetes, storageCalls } from './operation/activity-profiles';
import {
  judgePowerOff,
  podsADrainWouldEvict,
  rookOsdIds,
  type PowerOffVerdict,
} from './policy/power-off-check';

export interface PowerOffTarget {
  /** The reinstall's workflow ID, named in the operator's question. */
  reinstall: string;
  cluster: string;
  node: string;
  kubernetesNode: boolean;
  novaRegion?: string;
  /** The Ceph OSDs seen on the node so far (a drain evicts their pods; they stay its OSDs). */
  osds: Set<number>;
  /** Pod UIDs an operator approved powering off with. */
  approvedPods: ReadonlySet<string>;
}

/** The pods bound to the node now, noting the Rook OSDs among them. */
export async function podsOnNode(t: PowerOffTarget): Promise<PodFacts[]> {
  if (!t.kubernetesNode) return [];
  const pods = await kubernetes.listNodePods({ cluster: t.cluster, node: t.node });
  for (const id of rookOsdIds(pods.map((p) => p.pod.name))) t.osds.add(id);
  return pods;
}

export async function checkPowerOff(t: PowerOffTarget): Promise<PowerOffVerdict> {
  const { cluster, node } = t;
  const evictable = podsADrainWouldEvict(await podsOnNode(t));
  const pods =
    evictable.length === 0
      ? []
      : await kubernetes.podBudgetsOnNode({ cluster, node, pods: evictable });
  const instances =
    t.novaRegion === undefined
      ? []
      : await hostCalls.listServersOnHost({ region: t.novaRegion, host: node });
  const ids = [...t.osds].sort((a, b) => a - b);
  const verdict =
    ids.length === 0 ? undefined : await storageCalls.cephOsdOkToStop({ cluster, osds: ids });
  return judgePowerOff({
    reinstall: t.reinstall,
    node,
    pods,
    approvedPods: t.approvedPods,
    instances,
    ...(verdict && { osds: { ids, okToStop: verdict.okToStop, reason: verdict.reason } }),
  });
}
