// The lab cluster as an end-to-end test sees it through the Kubernetes API, independent of
// Steward's own activities: nodes, the pods Steward would evict, and Steward's upgrade Jobs.
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { CORDONED_BY_ANNOTATION } from '../../activities/kubernetes/nodes';
import { UPGRADE_LABELS, UPGRADE_NAMESPACE } from '../../activities/kubernetes/upgrade-jobs';

export interface NodeView {
  name: string;
  kubeletVersion: string;
  ready: boolean;
  cordoned: boolean;
  /** Steward's annotation saying that it cordoned the node. */
  cordonedBySteward: boolean;
  bootId: string;
  /** The lab's kubelet switch (lab.steward.dev/kubelet): `running` or `stopped`. */
  kubelet: string;
}

export interface UpgradeJobView {
  /** "namespace/name", as the audit helpers key objects. */
  key: string;
  node: string;
  version: string;
  state: 'running' | 'succeeded' | 'failed';
}

const nodeView = (n: V1Node): NodeView => ({
  name: n.metadata?.name ?? '',
  kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
  ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  cordoned: n.spec?.unschedulable === true,
  cordonedBySteward: n.metadata?.annotations?.[CORDONED_BY_ANNOTATION] !== undefined,
  bootId: n.status?.nodeInfo?.bootID ?? '',
  kubelet: n.metadata?.labels?.['lab.steward.dev/kubelet'] ?? '',
});

export class LabCluster {
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;

  constructor(kubeconfigPath: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    this.core = kc.makeApiClient(CoreV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
  }

  async nodes(): Promise<NodeView[]> {
    return (await this.core.listNode()).items.map(nodeView);
  }

  async node(name: string): Promise<NodeView> {
    return nodeView(await this.core.readNode({ name }));
  }

  /** "namespace/name" of the pods on `node` that a drain evicts (ReplicaSet-owned, not leaving). */
  async evictablePodsOn(node: string): Promise<string[]> {
    const pods = await this.core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${node}`,
    });
    return pods.items
      .filter(
        (p) =>
          !p.metadata?.deletionTimestamp &&
          p.metadata?.ownerReferences?.some((o) => o.kind === 'ReplicaSet'),
      )
      .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  }

  async upgradeJobs(): Promise<UpgradeJobView[]> {
    const jobs = await this.batch.listNamespacedJob({ namespace: UPGRADE_NAMESPACE });
    return jobs.items.map((job) => {
      const holds = (type: string) =>
        job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
      return {
        key: `${UPGRADE_NAMESPACE}/${job.metadata?.name}`,
        node: job.metadata?.labels?.[UPGRADE_LABELS.node] ?? '',
        version: job.metadata?.labels?.[UPGRADE_LABELS.version] ?? '',
        state: holds('Complete') ? 'succeeded' : holds('Failed') ? 'failed' : 'running',
      };
    });
  }
}
