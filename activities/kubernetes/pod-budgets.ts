// Which PodDisruptionBudgets cover the pods still bound to a node: what powering the node off
// would break, read right before a power-off so that an operator is asked with the facts as they
// are then.
import type { PodRef } from '../../workflows/api';
import type { Clusters } from './clusters';
import { selectorMatches } from './label-selector';
import { listPodsOnNode, podRef } from './pods';

export interface PodBudgets {
  pod: PodRef;
  /** `namespace/name` of each PodDisruptionBudget whose selector matches the pod's labels. */
  budgets: string[];
}

export function podBudgetActivities(clusters: Clusters) {
  return {
    /** The given pods that are still on `node`, each with the budgets that select it. */
    async podBudgetsOnNode(a: { cluster: string; node: string; pods: PodRef[] }) {
      const wanted = new Set(a.pods.map((p) => p.uid));
      const pods = (await listPodsOnNode(clusters, a.cluster, a.node)).filter((p) =>
        wanted.has(p.metadata!.uid!),
      );
      const { policy } = clusters.apis(a.cluster);
      const namespaces = [...new Set(pods.map((p) => p.metadata!.namespace!))];
      const budgets = new Map(
        await Promise.all(
          namespaces.map(
            async (namespace) =>
              [
                namespace,
                (await policy.listNamespacedPodDisruptionBudget({ namespace })).items,
              ] as const,
          ),
        ),
      );
      return pods.map((pod): PodBudgets => ({
        pod: podRef(pod),
        budgets: (budgets.get(pod.metadata!.namespace!) ?? [])
          .filter((b) => selectorMatches(b.spec?.selector, pod.metadata?.labels ?? {}))
          .map((b) => `${b.metadata!.namespace}/${b.metadata!.name}`),
      }));
    },
  };
}
