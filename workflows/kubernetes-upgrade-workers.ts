// The workers of one upgrade step in a rolling window, as kured and the system-upgrade-controller
// roll: whenever a worker finishes, the next start as far as maxUnavailable allows (NotReady
// workers count). Each is asked of the cluster's guard first; one another operation holds waits.
import { condition } from '@temporalio/workflow';
import type { UpgradeNodeResult } from './api';
import type { Rollout } from './kubernetes-upgrade-rollout';
import { kubernetesLocal as k8s } from './operation/activity-profiles';
import { nextWorkerBatch } from './policy/worker-batches';

const RECHECK_NOT_READY_SECONDS = 10;

/**
 * Upgrades the step's workers; the first aborted node's result, once the nodes in flight are done.
 * No new worker starts while an operator is asked, once one was aborted, or while the window is
 * closed. `continueAsNewDue` says the run should end, which it does once no node is in flight.
 */
export async function workersInWindow(
  rollout: Rollout,
  version: string,
  maxUnavailable: number,
  continueAsNewDue: () => boolean,
): Promise<UpgradeNodeResult | undefined> {
  const s = rollout.status;
  let finished = 0;
  let aborted: UpgradeNodeResult | undefined;
  const start = (node: string) =>
    void rollout.upgrade(node, version, 'node').then((result) => {
      if (result.outcome === 'aborted') aborted ??= result;
      finished++;
    });
  for (;;) {
    const operatorAsked = s.inFlight.length > 0 && rollout.operatorAsked;
    const draining = aborted !== undefined || (s.inFlight.length > 0 && continueAsNewDue());
    const closed = rollout.windowClosedNow();
    let waitingFor: string | undefined;
    if (!draining && !operatorAsked && !closed && s.inFlight.length < maxUnavailable) {
      const refill = await refillWindow(rollout, version, maxUnavailable, start);
      if (refill === 'done') return undefined;
      waitingFor = refill.waitingFor;
    }
    if (s.inFlight.length === 0) {
      if (aborted) return aborted;
      if (closed) await rollout.sleepUntilWindow();
      else await rollout.blocked(waitingFor);
      continue;
    }
    if (s.blockedBy !== waitingFor) {
      s.blockedBy = waitingFor;
      rollout.show();
    }
    const seen = finished;
    const woken = () =>
      finished !== seen || (operatorAsked && !rollout.operatorAsked) || aborted !== undefined;
    // A NotReady worker that returns, or a node another operation gives back, frees room.
    if (waitingFor) await condition(woken, `${RECHECK_NOT_READY_SECONDS} seconds`);
    else await condition(woken);
  }
}

/**
 * Starts the workers the bound leaves room for, each once the guard names it in the lease.
 * Reads only the NotReady workers and the candidates, so no history grows with the cluster.
 * 'done' when no worker of the step is left; else why none more start, if none can.
 */
async function refillWindow(
  rollout: Rollout,
  version: string,
  maxUnavailable: number,
  start: (node: string) => void,
): Promise<'done' | { waitingFor?: string }> {
  const s = rollout.status;
  const taken = new Map<string, string>();
  const skipped = s.skipped.map((n) => n.split('@')[0]);
  for (;;) {
    const window = await k8s.readWorkerWindow({
      cluster: s.cluster,
      nodes: rollout.input.nodes,
      version,
      exclude: [...s.inFlight, ...skipped, ...taken.keys()],
      limit: maxUnavailable - s.inFlight.length,
    });
    const nodes = rollout.states(window, version, false);
    const left = nodes.some((n) => !n.done) || taken.size > 0;
    if (s.inFlight.length === 0) {
      if (!left) return 'done';
      // Only with workers of this step left, so the next run plans this step (and its add-ons) again.
      await rollout.onIdle();
    }
    const next = nextWorkerBatch(nodes, maxUnavailable, s.inFlight);
    if (next.nodes.length === 0) {
      const todo = nodes.some((n) => !n.done && !s.inFlight.includes(n.name));
      const why = [todo ? next.waitingFor : undefined, ...taken.values()].filter(Boolean);
      return { waitingFor: why.join('; ') || undefined };
    }
    for (const node of next.nodes) {
      const refused = await rollout.claim(node);
      if (refused) taken.set(node, refused);
      else start(node);
    }
    if (s.inFlight.length >= maxUnavailable) return {};
  }
}
