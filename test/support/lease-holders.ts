// A workflow bundle for the guard's tests: the guard itself and a minimal lease holder that takes
// a lease as Steward's operations do (workflows/cluster-lease.ts) and ends as the test tells it.
import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineSignal,
  setHandler,
} from '@temporalio/workflow';
import { withClusterLease } from '../../workflows/cluster-lease';
import type { LeaseOperation } from '../../workflows/api';

export { clusterGuard } from '../../workflows/cluster-guard';

export interface LeaseHolderInput {
  cluster: string;
  operation: LeaseOperation;
  nodes: string[];
  unavailable?: number;
  /** Continue as new once, right after taking the lease. */
  continueAsNewOnce?: boolean;
}

export const finishSignal = defineSignal<['complete' | 'fail']>('finish');

export function leaseHolder(input: LeaseHolderInput): Promise<string> {
  return withClusterLease(async (lease) => {
    let finish: 'complete' | 'fail' | undefined;
    setHandler(finishSignal, (how) => void (finish = how));
    await lease.take(input.cluster, input.operation, input.nodes, input.unavailable);
    if (input.continueAsNewOnce) {
      await continueAsNew<typeof leaseHolder>({ ...input, continueAsNewOnce: false });
    }
    await condition(() => finish !== undefined);
    if (finish === 'fail') throw ApplicationFailure.nonRetryable('failed as the test asked');
    return 'completed';
  });
}
