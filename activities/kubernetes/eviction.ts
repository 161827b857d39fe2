// Evicts pods through the Eviction API so that PodDisruptionBudgets hold, and waits until they
// are gone. One call is a bounded round: it reports what it evicted and what still blocks, so
// the workflow can show progress and decide; a retried round re-reads the cluster first and
// never evicts a pod that is already terminating.
import { Context } from '@temporalio/activity';
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { PodLeft, PodRef } from '../../workflows/api';
import { statusCode, statusMessage } from './api-errors';
import type { Clusters } from './clusters';
import { selectorMatches } from './label-selector';
import { listPodsOnNode, podRef } from './pods';

export interface EvictRoundInput {
  cluster: string;
  node: string;
  pods: PodRef[];
  /** How long this round may run before it reports back. */
  roundSeconds: number;
  /** After this long, a round reports back as soon as a pod has left, so progress shows. */
  reportProgressAfterSeconds: number;
}

export interface EvictRoundResult {
  evicted: PodRef[];
  gone: PodRef[];
  left: PodLeft[];
}

type Attempt =
  { kind: 'evicted' } | { kind: 'gone' } | { kind: 'blocked'; blocker: string; pdb?: string };

function describeBudget(pdb: V1PodDisruptionBudget): string {
  const s = pdb.status;
  return (
    `PodDisruptionBudget ${pdb.metadata!.namespace}/${pdb.metadata!.name} allows ` +
    `${s?.disruptionsAllowed ?? 0} disruptions (${s?.currentHealthy ?? '?'}/${s?.desiredHealthy ?? '?'} healthy)`
  );
}

export function evictionActivities(clusters: Clusters, pollIntervalMs: number) {
  return {
    async evictRound(input: EvictRoundInput): Promise<EvictRoundResult> {
      const { core, policy } = clusters.apis(input.cluster);
      const ctx = Context.current();
      const deadline = Date.now() + input.roundSeconds * 1000;
      const reportFrom = Date.now() + input.reportProgressAfterSeconds * 1000;
      const pending = new Map(input.pods.map((p) => [p.uid, p]));
      const blockers = new Map<string, string>();
      const waitingOnBudget = new Map<string, string>(); // pod uid → "namespace/pdb"
      const evicted: PodRef[] = [];
      const gone: PodRef[] = [];

      const budgetsIn = memoize((namespace: string) =>
        policy.listNamespacedPodDisruptionBudget({ namespace }).then((l) => l.items),
      );

      async function budgetAllows(uid: string, pod: V1Pod): Promise<boolean> {
        const key = waitingOnBudget.get(uid);
        if (!key) return true;
        const pdb = (await budgetsIn(pod.metadata!.namespace!)).find(
          (b) => `${b.metadata!.namespace}/${b.metadata!.name}` === key,
        );
        if (!pdb) return true;
        blockers.set(uid, describeBudget(pdb));
        return (pdb.status?.disruptionsAllowed ?? 0) > 0;
      }

      async function attempt(pod: V1Pod): Promise<Attempt> {
        const ref = podRef(pod);
        try {
          await core.createNamespacedPodEviction({
            name: ref.name,
            namespace: ref.namespace,
            body: {
              apiVersion: 'policy/v1',
              kind: 'Eviction',
              metadata: { name: ref.name, namespace: ref.namespace },
              deleteOptions: { preconditions: { uid: ref.uid } },
            },
          });
          return { kind: 'evicted' };
        } catch (err) {
          const code = statusCode(err);
          // 404: gone already; 409: the uid precondition failed, so this pod is gone.
          if (code === 404 || code === 409) return { kind: 'gone' };
          if (code === 429) {
            const labels = pod.metadata?.labels ?? {};
            const budget = (await budgetsIn(ref.namespace)).find((b) =>
              selectorMatches(b.spec?.selector, labels),
            );
            return budget
              ? {
                  kind: 'blocked',
                  blocker: describeBudget(budget),
                  pdb: `${ref.namespace}/${budget.metadata!.name}`,
                }
              : { kind: 'blocked', blocker: statusMessage(err) };
          }
          // 403 NamespaceTerminating, 500 when several budgets match: report, retry next pass.
          if (code === 403 || code === 500) return { kind: 'blocked', blocker: statusMessage(err) };
          throw err;
        }
      }

      for (;;) {
        budgetsIn.clear();
        const onNode = new Map(
          (await listPodsOnNode(clusters, input.cluster, input.node)).map((p) => [
            p.metadata!.uid!,
            p,
          ]),
        );
        const candidates: V1Pod[] = [];
        for (const [uid, ref] of pending) {
          const pod = onNode.get(uid);
          if (!pod) {
            pending.delete(uid);
            gone.push(ref);
          } else if (pod.metadata?.deletionTimestamp) {
            blockers.set(
              uid,
              `terminating (grace period ${pod.spec?.terminationGracePeriodSeconds ?? 30}s)`,
            );
          } else if (await budgetAllows(uid, pod)) {
            candidates.push(pod);
          }
        }
        await Promise.all(
          candidates.map(async (pod) => {
            const uid = pod.metadata!.uid!;
            const result = await attempt(pod);
            if (result.kind === 'evicted') {
              evicted.push(podRef(pod));
              waitingOnBudget.delete(uid);
              blockers.set(uid, 'evicted; terminating');
            } else if (result.kind === 'gone') {
              pending.delete(uid);
              gone.push(podRef(pod));
            } else {
              blockers.set(uid, result.blocker);
              if (result.pdb) waitingOnBudget.set(uid, result.pdb);
            }
          }),
        );
        const now = Date.now();
        if (pending.size === 0 || now >= deadline || (gone.length > 0 && now >= reportFrom)) break;
        ctx.heartbeat({ evicted: evicted.length, left: pending.size });
        await ctx.sleep(pollIntervalMs);
      }

      return {
        evicted,
        gone,
        left: [...pending.values()].map((pod) => ({
          pod,
          blocker: blockers.get(pod.uid) ?? 'waiting',
        })),
      };
    },
  };
}

function memoize<T>(load: (key: string) => Promise<T>) {
  const cache = new Map<string, Promise<T>>();
  const get = (key: string) => {
    if (!cache.has(key)) cache.set(key, load(key));
    return cache.get(key)!;
  };
  return Object.assign(get, { clear: () => cache.clear() });
}
