// What a Kubernetes upgrade needs to know about a cluster: the version kubeadm records, every
// node's kubelet and readiness, and which add-ons are installed how; and, for each refill of the
// rolling worker window, only the workers that decide it.
import { parse } from 'yaml';
import type { ClusterFacts } from '../../workflows/policy/upgrade-plan';
import type { CoreV1Api } from '@kubernetes/client-node';
import { invalidInput } from '../../workflows/api';
import { orNotFound, statusCode, statusMessage } from './api-errors';
import type { Clusters } from './clusters';
import { deployedMonitoringChart } from './monitoring-chart';
import { workerWindow, type WindowRead } from '../../workflows/policy/worker-batches';

export interface NodeSelectors {
  include?: string;
  exclude?: string;
}

const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';

export function clusterFactActivities(clusters: Clusters) {
  return {
    async readUpgradeFacts({
      cluster,
      nodes: selectors = {},
    }: {
      cluster: string;
      nodes?: NodeSelectors;
    }): Promise<ClusterFacts> {
      const { core, apps } = clusters.apis(cluster);
      const kubeadm = await orNotFound(
        core.readNamespacedConfigMap({ namespace: 'kube-system', name: 'kubeadm-config' }),
      );
      const config = parse(kubeadm?.data?.ClusterConfiguration ?? '{}') as {
        kubernetesVersion?: string;
      };
      const nodes = await nodeFacts(core, selectors);
      const exists = (read: Promise<unknown>) =>
        orNotFound(read).then((found) => found !== undefined);
      const [calicoNode, snapshot, legacySnapshot] = await Promise.all([
        exists(apps.readNamespacedDaemonSet({ namespace: 'kube-system', name: 'calico-node' })),
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
          manifestCalicoInKubeSystem: calicoNode,
          snapshotController: image?.split(':').at(-1),
          kubeSystemSnapshotController: legacySnapshot !== undefined,
          monitoringChart,
        },
      };
    },

    /** The NotReady workers and the next candidates of a rolling upgrade (`workerWindow`). */
    async readWorkerWindow({
      cluster,
      nodes: selectors = {},
      ...read
    }: WindowRead & { cluster: string; nodes?: NodeSelectors }): Promise<NodeFact[]> {
      return workerWindow(await nodeFacts(clusters.apis(cluster).core, selectors), read);
    },
  };
}

type NodeFact = ClusterFacts['nodes'][number];

async function nodeFacts(core: CoreV1Api, selectors: NodeSelectors): Promise<NodeFact[]> {
  const selected = await selectedNodes(core, selectors);
  return (await core.listNode()).items.map((n) => ({
    name: n.metadata!.name!,
    controlPlane: n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined,
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    selected: selected(n.metadata!.name!),
  }));
}

/** Which nodes the selectors choose, as the apiserver matches them (it also parses them). */
async function selectedNodes(
  core: CoreV1Api,
  selectors: NodeSelectors,
): Promise<(node: string) => boolean> {
  const names = async (field: 'include' | 'exclude'): Promise<Set<string> | undefined> => {
    const labelSelector = selectors[field];
    if (labelSelector === undefined) return undefined;
    try {
      const list = await core.listNode({ labelSelector });
      return new Set(list.items.map((n) => n.metadata!.name!));
    } catch (err) {
      if (statusCode(err) === 400) throw invalidInput(`nodes.${field}`, statusMessage(err));
      throw err;
    }
  };
  const [included, excluded] = await Promise.all([names('include'), names('exclude')]);
  return (node) => (included?.has(node) ?? true) && !(excluded?.has(node) ?? false);
}
