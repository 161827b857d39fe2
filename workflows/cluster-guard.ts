// clusterGuard: one per cluster (ID `guard/<cluster>`), an entity workflow that grants leases to
// the operations that disrupt the cluster, in the style of samples-typescript's
// safe-message-handlers. Its update handlers never await, so each decides on the leases as they
// are and no two interleave. Leases expire: every lease check, an activity describes each
// holder, and the lease of a holder whose run ended (completed without releasing, terminated,
// timed out) is dropped. The guard continues as new, leases carried, once its history grows.
import { guardCalls as act } from './operation/activity-profiles';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  acquireLeaseUpdate,
  clusterLeasesQuery,
  releaseLeaseUpdate,
  workflowIds,
  type ClusterGuardInput,
  type ClusterGuardStatus,
  type Lease,
} from './api';
import {
  acquireLease,
  DEFAULT_LEASE_CHECK_SECONDS,
  describeLease,
  parseAcquireRequest,
  parseLeaseHolder,
  unavailableNodes,
  withoutHolders,
} from './policy/cluster-leases';
import { bulletList } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import { autoUpgrade } from './operation/versioning';

/** A lease check adds about ten events: a day of checks every 30 s stays well below this. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 5_000;

// Never ends: at each task it moves to the current build (Worker Versioning), so each release
// keeps its handlers and carried state compatible with the one before.
autoUpgrade(clusterGuard);

export async function clusterGuard(input: ClusterGuardInput): Promise<never> {
  const { cluster } = input;
  requireWorkflowId(workflowIds.guard(cluster), 'one guard leases a cluster');
  let leases: Lease[] = input.leases ?? [];
  let budget = input.maxUnavailableNodes;
  const status = (): ClusterGuardStatus => ({
    cluster,
    leases,
    maxUnavailableNodes: budget,
    unavailable: unavailableNodes(leases),
  });
  // Details only, no search attributes: the guard is not an operation for `steward list`.
  const show = () =>
    setCurrentDetails(
      [
        `**Guard of ${cluster}**: ${leases.length} lease(s), ${unavailableNodes(leases)} of ${budget ?? '?'} nodes may be unavailable`,
        bulletList(leases.map(describeLease)),
      ].join('\n'),
    );
  show();

  setHandler(
    acquireLeaseUpdate,
    (request) => {
      budget = request.maxUnavailableNodes;
      const now = new Date().toISOString();
      const answer = acquireLease(cluster, leases, request, now);
      leases = answer.leases;
      show();
      return answer.decision;
    },
    { validator: (request) => void parseAcquireRequest(request) },
  );
  setHandler(
    releaseLeaseUpdate,
    (holder) => {
      const before = leases.length;
      leases = withoutHolders(leases, [holder]);
      show();
      return leases.length < before;
    },
    { validator: (holder) => void parseLeaseHolder(holder) },
  );
  setHandler(clusterLeasesQuery, status);

  const checkEvery = `${input.leaseCheckSeconds ?? DEFAULT_LEASE_CHECK_SECONDS} seconds`;
  const limit = input.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_AFTER_EVENTS;
  const continueAsNewDue = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;

  while (!continueAsNewDue()) {
    if (leases.length === 0) {
      await condition(() => leases.length > 0 || continueAsNewDue());
    } else if (!(await condition(continueAsNewDue, checkEvery))) {
      const holders = leases.map((l) => l.holder);
      // Leases granted or released meanwhile stay as the handlers left them.
      leases = withoutHolders(leases, await act.endedLeaseHolders({ holders }));
      show();
    }
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof clusterGuard>({ ...input, leases, maxUnavailableNodes: budget });
}
