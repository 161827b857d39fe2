// Evicts pods through the Eviction API so that PodDisruptionBudgets hold, and waits until they
// are gone. One call is a bounded round: it reports what it evicted and what still blocks, so
// the workflow can show progress and decide; a retried round re-reads the cluster first and
// never evicts a pod that is already terminating.
import { Context } from '@temporalio/activity';
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { PodLeft, PodRef } from '../../workflows/api';
import { statusCode, statusMessage } from './api-errors';
import { sleepOrChange, watchChanges, withChanges, type ChangeFeed } from './change-feed';
import type { Clusters } from './clusters';
import { currentOperation, currentRun, recordEvent } from './events';
import { selectorMatches } from './label-selector';
import { listPodsOnNode, podRef } from './pods';
import { pickEvictions, type BudgetState } from '../../workflows/policy/pod-eviction-pacing';

export interface EvictRoundInput {
  cluster: string;
  node: string;
  pods: PodRef[];
  /** How long this round may run before it reports back. */
  roundSeconds: number;
  /** After this long, a round reports back as soon as a pod has left, so progress shows. */
  reportProgressAfterSeconds: number;
  /** The drain's first round: its start is written as an Event on the node. */
  drainStart?: boolean;
}

export interface EvictRoundResult {
  evicted: PodRef[];
  gone: PodRef[];
  left: PodLeft[];
}

type Attempt = { kind: 'evicted' } | { kind: 'gone' } | { kind: 'blocked'; blocker: string };

function describeBudget(pdb: V1PodDisruptionBudget): string {
  const s = pdb.status;
  return (
    `PodDisruptionBudget ${pdb.metadata!.namespace}/${pdb.metadata!.name} allows ` +
    `${s?.disruptionsAllowed ?? 0} disruptions (${s?.currentHealthy ?? '?'}/${s?.desiredHealthy ?? '?'} healthy)`
  );
}

const budgetState = (pdb: V1PodDisruptionBudget): BudgetState => ({
  key: `${pdb.metadata!.namespace}/${pdb.metadata!.name}`,
  disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0,
  description: describeBudget(pdb),
});

const isReady = (pod: V1Pod) =>
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export function evictionActivities(clusters: Clusters, pollIntervalMs: number) {
  const watch = watchChanges(clusters);
  return {
    /** Woken by any change of the node's pods (an evicted one gone), not only by its poll. */
    evictRound(input: EvictRoundInput): Promise<EvictRoundResult> {
      const podsOnNode = { path: '/api/v1/pods', fieldSelector: `spec.nodeName=${input.node}` };
      return withChanges(watch, input.cluster, [podsOnNode], (changes) =>
        evictRound(input, changes),
      );
    },
  };

  async function evictRound(
    input: EvictRoundInput,
    changes?: ChangeFeed,
  ): Promise<EvictRoundResult> {
    const { core, policy } = clusters.apis(input.cluster);
    const ctx = Context.current();
    const deadline = Date.now() + input.roundSeconds * 1000;
    const reportFrom = Date.now() + input.reportProgressAfterSeconds * 1000;
    const pending = new Map(input.pods.map((p) => [p.uid, p]));
    const blockers = new Map<string, string>();
    const evicted: PodRef[] = [];
    const gone: PodRef[] = [];
    const nodeEvent = (reason: 'Drain' | 'DrainComplete', message: string) =>
      recordEvent(core, {
        object: { kind: 'Node', name: input.node },
        reason,
        message: `${message} (${currentOperation()})`,
        key: currentRun(),
      });
    if (input.drainStart) {
      await nodeEvent(
        'Drain',
        `Draining: evicting ${input.pods.length} pods through the Eviction API, PodDisruptionBudgets respected`,
      );
    }

    async function budgetsByNamespace(
      pods: V1Pod[],
    ): Promise<Map<string, V1PodDisruptionBudget[]>> {
      const namespaces = [...new Set(pods.map((p) => p.metadata!.namespace!))];
      const lists = await Promise.all(
        namespaces.map((namespace) => policy.listNamespacedPodDisruptionBudget({ namespace })),
      );
      return new Map(namespaces.map((ns, i) => [ns, lists[i].items]));
    }

    async function attempt(pod: V1Pod, budgets: V1PodDisruptionBudget[]): Promise<Attempt> {
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
        // 429: a budget refused (its status was stale); 403 NamespaceTerminating; 500 when
        // several budgets match. Report what blocks, and try again next pass.
        if (code === 429 && budgets.length === 1)
          return { kind: 'blocked', blocker: describeBudget(budgets[0]) };
        if (code === 429 || code === 403 || code === 500)
          return { kind: 'blocked', blocker: statusMessage(err) };
        throw err;
      }
    }

    for (;;) {
      const onNode = new Map(
        (await listPodsOnNode(clusters, input.cluster, input.node)).map((p) => [
          p.metadata!.uid!,
          p,
        ]),
      );
      const live: V1Pod[] = [];
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
        } else {
          live.push(pod);
        }
      }
      const budgets = await budgetsByNamespace(live);
      const matching = new Map(
        live.map((pod) => [
          pod.metadata!.uid!,
          (budgets.get(pod.metadata!.namespace!) ?? []).filter((b) =>
            selectorMatches(b.spec?.selector, pod.metadata?.labels ?? {}),
          ),
        ]),
      );
      const pick = pickEvictions(
        live.map((pod) => ({
          uid: pod.metadata!.uid!,
          ready: isReady(pod),
          budgets: matching.get(pod.metadata!.uid!)!.map(budgetState),
        })),
      );
      for (const [uid, blocker] of pick.blocked) blockers.set(uid, blocker);
      await Promise.all(
        pick.attempt.map(async (uid) => {
          const pod = onNode.get(uid)!;
          const result = await attempt(pod, matching.get(uid)!);
          if (result.kind === 'evicted') {
            evicted.push(podRef(pod));
            await recordEvent(core, {
              object: { kind: 'Pod', ...podRef(pod) },
              reason: 'Evict',
              message: `Evicted by Steward draining node ${input.node} (${currentOperation()})`,
              key: pod.metadata!.uid!,
            });
            blockers.set(uid, 'evicted; terminating');
          } else if (result.kind === 'gone') {
            pending.delete(uid);
            gone.push(podRef(pod));
          } else {
            blockers.set(uid, result.blocker);
          }
        }),
      );
      const now = Date.now();
      if (pending.size === 0 || now >= deadline || (gone.length > 0 && now >= reportFrom)) break;
      ctx.heartbeat({ evicted: evicted.length, left: pending.size });
      await sleepOrChange(pollIntervalMs, changes);
    }

    if (pending.size === 0)
      await nodeEvent('DrainComplete', 'Drained: every evictable pod is gone');
    return {
      evicted,
      gone,
      left: [...pending.values()].map((pod) => ({
        pod,
        blocker: blockers.get(pod.uid) ?? 'waiting',
      })),
    };
  }
}
