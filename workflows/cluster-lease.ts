// An operation's lease from its cluster's guard (cluster-guard.ts). The operation takes it once
// its input is checked, before its first change; a refusal fails the operation, non-retryably,
// naming the holder. It is released however the operation ends (done, failed, cancelled), but not
// when the run continues as new: the next run asks again as the same holder and keeps it. A holder
// that ends without releasing (terminated) loses it at the guard's next lease check.
import { guardCalls as guard } from './operation/activity-profiles';
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { LEASE_REFUSED, type LeaseHolder, type LeaseOperation } from './api';

/** Runs that started before this patch took no lease. */
const CLUSTER_GUARD = 'cluster-guard';

export class ClusterLease {
  private held?: { cluster: string; holder: LeaseHolder };

  /** Takes the lease for `nodes` by name, or for `unavailable` nodes of the cluster's. */
  async take(
    cluster: string,
    operation: LeaseOperation,
    nodes: string[],
    unavailable = nodes.length,
  ): Promise<void> {
    if (!patched(CLUSTER_GUARD)) return;
    const { workflowId, firstExecutionRunId } = workflowInfo();
    const holder = { workflowId, firstRunId: firstExecutionRunId };
    const decision = await guard.acquireClusterLease({
      cluster,
      request: { holder, operation, nodes, unavailable },
    });
    if (!decision.granted) {
      throw ApplicationFailure.create({
        type: LEASE_REFUSED,
        message: decision.reason,
        nonRetryable: true,
        details: [decision.heldBy],
      });
    }
    this.held = { cluster, holder };
  }

  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    await CancellationScope.nonCancellable(() => guard.releaseClusterLease(held));
    this.held = undefined;
  }
}

/** Runs an operation that may take a lease, and releases it when the operation ends. */
export async function withClusterLease<T>(run: (lease: ClusterLease) => Promise<T>): Promise<T> {
  const lease = new ClusterLease();
  let continuing = false;
  try {
    return await run(lease);
  } catch (err) {
    continuing = err instanceof ContinueAsNew;
    throw err;
  } finally {
    if (!continuing) await lease.release();
  }
}
