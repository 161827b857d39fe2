// What a Kubernetes upgrade needs to know about a cluster: the version kubeadm records, every
// node's kubelet and readiness, and which add-ons are installed how.
import { parse } from 'yaml';
import type { ClusterFacts } from '../../workflows/policy/upgrade-plan';
import { orNotFound } from './api-errors';
import type { Clusters } from './clusters';
import { deployedMonitoringChart } from './monitoring-chart';

const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export function clusterFactActivities(clusters: Clusters) {
  return {
    async readUpgradeFacts({ cluster }: { cluster: string }): Promise<ClusterFacts> {
      const { core, apps } = clusters.apis(cluster);
      const kubeadm = await orNotFound(
        core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kubeadm-config' }),
      );
      const config = parse(kubeadm?.data?.ClusterConfiguration ?? '{}') as {
        kubernetesVersion?: string;
      };
      const nodes = (await core.listNode()).items.map((n) => ({
        name: n.metadata!.name!,
        controlPlane: n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined,
        kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
        ready:
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      }));
      const exists = (read: Promise<unknown>) =>
        orNotFound(read).then((found) => found !== undefined);
      const [calicoNode, calicoTypha, tigera, snapshot, legacySnapshot] = await Promise.all([
        exists(apps.readNamespacedDaemonSet({ namespace: 'kube-system', name: 'calico-node' })),
        exists(apps.readNamespacedDeployment({ namespace: 'kube-system', name: 'calico-typha' })),
        exists(
          apps.readNamespacedDeployment({ namespace: 'tigera-operator', name: 'tigera-operator' }),
        ),
        orNotFound(
          apps.readNamespacedDeployment({
            namespace: 'snapshot-controller',
            name: 'snapshot-controller',
          }),
        ),
        orNotFound(
          apps.readNamespacedDeployment({ namespace: 'kube-system', name: 'snapshot-controller' }),
        ),
      ]);
      const monitoringChart = await deployedMonitoringChart(apps);
      const image = (snapshot ?? legacySnapshot)?.spec?.template.spec?.containers[0]?.image;
      return {
        controlPlaneVersion: config.kubernetesVersion ?? '',
        nodes,
        addons: {
          manifestCalicoInKubeSystem: calicoNode && calicoTypha && !tigera,
          snapshotController: image?.split(':').at(-1),
          kubeSystemSnapshotController: legacySnapshot !== undefined,
          monitoringChart,
        },
      };
    },
  };
}
