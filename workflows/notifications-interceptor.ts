// Tells the operators when an operation starts, fails or completes. Registered by the worker as a
// workflow interceptor module, so each operation's own code stays about its operation.
import {
  CancellationScope,
  isCancellation,
  ContinueAsNew,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { disableNotifications, enableNotifications, notifyOperators } from './notifications';

/**
 * Operations that change something, and when they are told: a drain or node upgrade inside a larger
 * operation is part of it (that one is told), while an eviction the watch starts is its own.
 * Plans and health reads run often and change nothing.
 */
const ANNOUNCED_OPERATIONS: Record<string, 'top-level' | 'always'> = {
  drainNode: 'top-level',
  uncordonNode: 'top-level',
  upgradeNode: 'top-level',
  kubernetesUpgrade: 'top-level',
  nodeReinstall: 'top-level',
  netboxReconcile: 'top-level',
  rookCephUpgrade: 'top-level',
  hypervisorEviction: 'always',
  hypervisorEvictionWatch: 'top-level',
};

class OperationNotifier implements WorkflowInboundCallsInterceptor {
  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    enableNotifications();
    const info = workflowInfo();
    const when = ANNOUNCED_OPERATIONS[info.workflowType];
    const announced = when === 'always' || (when === 'top-level' && info.parent === undefined);
    // A continued run is the same operation: its start was told already.
    const started =
      announced && info.continuedFromExecutionRunId === undefined
        ? notifyOperators({ kind: 'started' })
        : Promise.resolve();
    try {
      const result = await next(input);
      if (announced) await started.then(() => notifyOperators({ kind: 'completed' }));
      return result;
    } catch (err) {
      if (announced && !(err instanceof ContinueAsNew)) {
        const reason = isCancellation(err) ? 'cancelled' : innermostMessage(err);
        await CancellationScope.nonCancellable(() =>
          started.then(() => notifyOperators({ kind: 'failed', reason })),
        );
      }
      throw err;
    } finally {
      disableNotifications();
    }
  }
}

/** The message of the failure's root cause: "Activity task failed" says nothing to an operator. */
function innermostMessage(err: unknown): string {
  let e = err as Error;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OperationNotifier()],
});
