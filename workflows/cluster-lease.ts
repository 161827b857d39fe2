// An operation's lease from its cluster's guard (cluster-guard.ts). The operation takes it once
// its input is checked, before its first change; a refusal fails the operation, non-retryably,
// naming the holder. It is released however the operation ends, but not when the run continues
// as new (the next run asks again as the same holder). A rolling operation names each node in its
// lease before it disrupts it (`holdNode`), so no other operation takes that node meanwhile.
import { guardCalls as guard } from './operation/activity-profiles';
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  workflowInfo,
} from '@temporalio/workflow';
import { LEASE_REFUSED, type LeaseDecision, type LeaseOperation, type LeaseRequest } from './api';

export class ClusterLease {
  private held?: { cluster: string; request: LeaseRequest };
  /** Node changes in the order they were asked, each request built on the one before. */
  private changes: Promise<unknown> = Promise.resolve();

  /** Takes the lease for `nodes` by name, or for `unavailable` nodes of the cluster's. */
  async take(
    cluster: string,
    operation: LeaseOperation,
    nodes: string[],
    unavailable = nodes.length,
  ): Promise<void> {
    const { workflowId, firstExecutionRunId } = workflowInfo();
    const holder = { workflowId, firstRunId: firstExecutionRunId };
    const request = { holder, operation, nodes, unavailable };
    const decision = await guard.acquireClusterLease({ cluster, request });
    if (!decision.granted) {
      throw ApplicationFailure.create({
        type: LEASE_REFUSED,
        message: decision.reason,
        nonRetryable: true,
        details: [decision.heldBy],
      });
    }
    this.held = { cluster, request };
  }

  /**
   * Names `node` in the lease before the operation disrupts it: granted unless another holder
   * has it (the refusal's reason names who). Needs the lease taken.
   */
  holdNode(node: string): Promise<LeaseDecision> {
    return this.changeNodes((nodes) => [...nodes.filter((n) => n !== node), node]);
  }

  /** Gives one node back once the operation is done with it; the rest of the lease stays. */
  async letGoOfNode(node: string): Promise<void> {
    await this.changeNodes((nodes) => nodes.filter((n) => n !== node));
  }

  private changeNodes(change: (nodes: string[]) => string[]): Promise<LeaseDecision> {
    const next = this.changes.then(async (): Promise<LeaseDecision> => {
      const held = this.held;
      if (!held) throw new Error('a node was asked for before the lease was taken');
      const nodes = change(held.request.nodes);
      const unavailable = Math.max(held.request.unavailable, nodes.length);
      const request = { ...held.request, nodes, unavailable };
      const decision = await guard.acquireClusterLease({ cluster: held.cluster, request });
      if (decision.granted) held.request = request;
      return decision;
    });
    this.changes = next.catch(() => undefined);
    return next;
  }

  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    await CancellationScope.nonCancellable(() =>
      guard.releaseClusterLease({ cluster: held.cluster, holder: held.request.holder }),
    );
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
