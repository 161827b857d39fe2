import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { applyScenario } from './apply';
import { parseScenario } from './scenario';

export const DENSE_LABEL = 'steward.dev/dense';
export const DENSE_SPARE = 'dense-spare';

export interface DenseNodesOptions {
  /** Twin nodes that get identical pods, e.g. one to drain with kubectl, one with Steward. */
  nodes: string[];
  deploymentsPerNode?: number;
  replicasEach?: number;
  pdbMaxUnavailable?: number;
  namespace?: string;
  /** Default: `kubernetesVersion` of kube-system/kubeadm-config. */
  kubeletVersion?: string;
}

/**
 * Adds `nodes` (default 10 Deployments x 10 replicas each, every Deployment under a PDB with
 * maxUnavailable 1) plus a node `dense-spare` where evicted pods can go. All carry a
 * `steward.dev/dense` NoSchedule taint, so no other workload lands on them. The spare stays
 * cordoned until the twins are full, so every pod starts on its own twin.
 */
export async function addDenseNodes(
  kubeconfigPath: string,
  {
    nodes,
    deploymentsPerNode = 10,
    replicasEach = 10,
    pdbMaxUnavailable = 1,
    namespace = 'dense',
    kubeletVersion,
  }: DenseNodesOptions,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const version = kubeletVersion ?? (await clusterVersion(kc));
  const perNode = deploymentsPerNode * replicasEach;
  const taints = [{ key: DENSE_LABEL, value: 'true', effect: 'NoSchedule' as const }];
  const scenario = parseScenario(
    {
      kubernetesVersion: version,
      nodes: [
        ...nodes.map((name) => ({
          name,
          pods: perNode + 20,
          labels: { [DENSE_LABEL]: name },
          taints,
        })),
        {
          name: DENSE_SPARE,
          pods: perNode * nodes.length + 20,
          labels: { [DENSE_LABEL]: DENSE_SPARE },
          taints,
          unschedulable: true,
        },
      ],
      deployments: nodes.map((node) => ({
        name: node,
        count: deploymentsPerNode,
        namespace,
        replicas: replicasEach,
        cpu: '10m',
        memory: '16Mi',
        tolerations: [{ key: DENSE_LABEL, operator: 'Exists', effect: 'NoSchedule' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: DENSE_LABEL, operator: 'In', values: [node, DENSE_SPARE] },
                  ],
                },
              ],
            },
          },
        },
        pdb: { maxUnavailable: pdbMaxUnavailable },
      })),
    },
    'dense nodes options',
  );
  await applyScenario(kubeconfigPath, scenario);
  await KubernetesObjectApi.makeApiClient(kc).patch(
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: DENSE_SPARE },
      spec: { unschedulable: false },
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

async function clusterVersion(kc: KubeConfig): Promise<string> {
  const cm = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' });
  const config = parse(cm.data?.ClusterConfiguration ?? '{}') as { kubernetesVersion?: string };
  if (!config.kubernetesVersion)
    throw new Error('kube-system/kubeadm-config has no kubernetesVersion');
  return config.kubernetesVersion;
}
