// Facts about the pods on a node, for the drain policy to classify.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodRef } from '../../workflows/api';
import type { PodFacts } from '../../workflows/policy/pod-filters';
import { orNotFound } from './api-errors';
import type { Clusters } from './clusters';

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function podRef(pod: V1Pod): PodRef {
  return {
    namespace: pod.metadata!.namespace!,
    name: pod.metadata!.name!,
    uid: pod.metadata!.uid!,
  };
}

export async function listPodsOnNode(
  clusters: Clusters,
  cluster: string,
  node: string,
): Promise<V1Pod[]> {
  const pods: V1Pod[] = [];
  let next: string | undefined;
  do {
    const page = await clusters.apis(cluster).core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${node}`,
      limit: 500,
      _continue: next,
    });
    pods.push(...page.items);
    next = page.metadata?._continue || undefined;
  } while (next);
  return pods;
}

export function podActivities(clusters: Clusters) {
  return {
    async listNodePods({ cluster, node }: { cluster: string; node: string }): Promise<PodFacts[]> {
      const pods = await listPodsOnNode(clusters, cluster, node);
      const daemonSetExists = new Map<string, Promise<boolean>>();
      const exists = (namespace: string, name: string) => {
        const key = `${namespace}/${name}`;
        if (!daemonSetExists.has(key)) {
          const read = clusters.apis(cluster).apps.readNamespacedDaemonSet({ namespace, name });
          daemonSetExists.set(
            key,
            orNotFound(read).then((ds) => ds !== undefined),
          );
        }
        return daemonSetExists.get(key)!;
      };
      return Promise.all(
        pods.map(async (pod): Promise<PodFacts> => {
          const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
          return {
            pod: podRef(pod),
            phase: pod.status?.phase ?? 'Unknown',
            controller: owner && { kind: owner.kind, name: owner.name },
            controllerExists:
              owner?.kind === 'DaemonSet'
                ? await exists(pod.metadata!.namespace!, owner.name)
                : owner !== undefined,
            mirror: pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined,
            usesEmptyDir: pod.spec?.volumes?.some((v) => v.emptyDir !== undefined) ?? false,
            terminating: pod.metadata?.deletionTimestamp !== undefined,
          };
        }),
      );
    },
  };
}
