// The GPU device plugin on a node: after a kubelet restart it reports the GPUs unhealthy until its
// pod restarts (Yaook restarts it before uncordoning). These read the facts and delete one pod
// by UID, so a retry never deletes its replacement.
import { invalidInput } from '../../workflows/api';
import { orNotFound, statusCode } from './api-errors';
import type { Clusters } from './clusters';

export interface DevicePluginSelector {
  cluster: string;
  node: string;
  /** Yaook: namespace k8s-nvidia-device-plugin, selector app.kubernetes.io/instance=nvdp. */
  namespace: string;
  labelSelector: string;
}

export interface GpuFacts {
  capacity: number;
  allocatable: number;
  plugins: { namespace: string; name: string; uid: string; ready: boolean; terminating: boolean }[];
}

const GPU = 'nvidia.com/gpu';

export function devicePluginActivities(clusters: Clusters) {
  return {
    async gpuFacts(s: DevicePluginSelector): Promise<GpuFacts> {
      const { core } = clusters.apis(s.cluster);
      const node = await orNotFound(core.readNode({ name: s.node }));
      if (!node) throw invalidInput('node', `no node "${s.node}" in cluster "${s.cluster}"`);
      const pods = await core.listNamespacedPod({
        namespace: s.namespace,
        labelSelector: s.labelSelector,
        fieldSelector: `spec.nodeName=${s.node}`,
      });
      return {
        capacity: Number(node.status?.capacity?.[GPU] ?? 0),
        allocatable: Number(node.status?.allocatable?.[GPU] ?? 0),
        plugins: pods.items.map((p) => ({
          namespace: p.metadata!.namespace!,
          name: p.metadata!.name!,
          uid: p.metadata!.uid!,
          ready:
            p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
          terminating: p.metadata?.deletionTimestamp !== undefined,
        })),
      };
    },

    /** Deletes the pod if it is still the one with this UID; false when another pod holds the name now. */
    async deletePodOnce(p: {
      cluster: string;
      namespace: string;
      name: string;
      uid: string;
    }): Promise<boolean> {
      try {
        await orNotFound(
          clusters.apis(p.cluster).core.deleteNamespacedPod({
            namespace: p.namespace,
            name: p.name,
            body: { preconditions: { uid: p.uid } },
          }),
        );
        return true;
      } catch (err) {
        if (statusCode(err) === 409) return false;
        throw err;
      }
    },
  };
}
