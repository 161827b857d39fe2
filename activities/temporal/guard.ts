// The activities that reach Steward's own Temporal for the per-cluster guard: an operation's lease
// taken and released (a workflow cannot send an update to another workflow), and the guard's check
// of its holders. The guard runs on the task queue of the worker that starts it.
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  acquireLeaseUpdate,
  releaseLeaseUpdate,
  workflowIds,
  type AcquireLeaseRequest,
  type ClusterGuardInput,
  type LeaseDecision,
  type LeaseHolder,
  type LeaseRequest,
} from '../../workflows/api';

export interface GuardDeps {
  client: () => Client;
  /** The cluster's node budget, from the worker's config. */
  maxUnavailableNodes: (cluster: string) => number;
}

export function clusterGuardActivities({ client, maxUnavailableNodes }: GuardDeps) {
  /**
   * Calls Temporal until the activity is cancelled: the guard's answer may need this very worker,
   * so a worker shutting down must not wait for it.
   */
  const call = <R>(fn: (temporal: Client) => Promise<R>): Promise<R> =>
    client().withAbortSignal(Context.current().cancellationSignal, () => fn(client()));

  /** Whether the holder's workflow still runs the run that took the lease (or one it continued as). */
  async function holding(holder: LeaseHolder): Promise<boolean> {
    try {
      const described = await call((t) => t.workflow.getHandle(holder.workflowId).describe());
      const firstRunId = described.raw.workflowExecutionInfo?.firstRunId;
      return (
        described.status.name === 'RUNNING' && (!firstRunId || firstRunId === holder.firstRunId)
      );
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  return {
    /** Asks the cluster's guard for a lease, starting the guard if it does not run yet. */
    acquireClusterLease: (a: { cluster: string; request: LeaseRequest }): Promise<LeaseDecision> =>
      call((temporal) =>
        askGuard(temporal, Context.current().info.taskQueue, a.cluster, {
          ...a.request,
          maxUnavailableNodes: maxUnavailableNodes(a.cluster),
        }),
      ),

    /** Gives the lease back; false when there was none (or no guard). */
    async releaseClusterLease(a: { cluster: string; holder: LeaseHolder }): Promise<boolean> {
      try {
        return await call((t) =>
          t.workflow
            .getHandle(workflowIds.guard(a.cluster))
            .executeUpdate(releaseLeaseUpdate, { args: [a.holder] }),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },

    /** The holders whose run has ended: their leases expire. */
    async endedLeaseHolders(a: { holders: LeaseHolder[] }): Promise<LeaseHolder[]> {
      const ended: LeaseHolder[] = [];
      for (const holder of a.holders) if (!(await holding(holder))) ended.push(holder);
      return ended;
    },
  };
}

/** The acquire update, starting the cluster's guard on `taskQueue` if it does not run yet. */
export function askGuard(
  temporal: Client,
  taskQueue: string,
  cluster: string,
  request: AcquireLeaseRequest,
): Promise<LeaseDecision> {
  const guard: ClusterGuardInput = { cluster };
  return temporal.workflow.executeUpdateWithStart(acquireLeaseUpdate, {
    args: [request],
    startWorkflowOperation: new WithStartWorkflowOperation('clusterGuard', {
      workflowId: workflowIds.guard(cluster),
      taskQueue,
      args: [guard],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      staticSummary: `leases of cluster ${cluster}`,
    }),
  });
}
