// Facts for the checks after a node's upgrade: the node, the apiserver's /readyz, kubeadm's
// control-plane pods, and crash-looping containers on the node.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { NodeCheckFacts } from '../../workflows/policy/node-checks';
import type { Clusters } from './clusters';

const READYZ_TIMEOUT_MS = 10_000;

export function nodeCheckActivities(clusters: Clusters) {
  return {
    async readNodeCheckFacts({
      cluster,
      node,
    }: {
      cluster: string;
      node: string;
    }): Promise<NodeCheckFacts> {
      const { core, kubeConfig } = clusters.apis(cluster);
      const [n, apiserver, controlPlane, onNode] = await Promise.all([
        core.readNode({ name: node }),
        readyz(kubeConfig),
        core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'tier=control-plane' }),
        core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }),
      ]);
      const isReady = (conditions?: { type: string; status: string }[]) =>
        conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      return {
        node: {
          ready: isReady(n.status?.conditions),
          kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
        },
        apiserver,
        controlPlanePods: controlPlane.items.map((p) => ({
          name: p.metadata!.name!,
          ready: isReady(p.status?.conditions),
        })),
        crashLooping: onNode.items
          .filter((p) => !p.metadata?.deletionTimestamp)
          .flatMap((p) =>
            (p.status?.containerStatuses ?? [])
              .filter((c) => c.state?.waiting?.reason === 'CrashLoopBackOff')
              .map((c) => ({
                pod: `${p.metadata!.namespace}/${p.metadata!.name}`,
                container: c.name,
                restarts: c.restartCount,
              })),
          ),
      };
    },
  };
}

/** GET /readyz?verbose with the kubeconfig's credentials; a failure is a fact, not an error. */
async function readyz(kc: KubeConfig): Promise<NodeCheckFacts['apiserver']> {
  const url = new URL('/readyz?verbose', kc.getCurrentCluster()!.server);
  const options: Parameters<typeof request>[1] = { timeout: READYZ_TIMEOUT_MS };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const failing = body.split('\n').filter((l) => l.includes('failed'));
        resolve({
          ready: res.statusCode === 200,
          detail: res.statusCode === 200 ? 'ok' : failing.join('; ') || `HTTP ${res.statusCode}`,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${READYZ_TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve({ ready: false, detail: err.message }));
    req.end();
  });
}
