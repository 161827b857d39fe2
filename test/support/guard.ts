// The real guard activities for workflow tests whose other activities are in-memory: the guard of
// each cluster runs on the test's task queue, so a test ends it with its worker.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { askGuard, clusterGuardActivities } from '../../activities/temporal/guard';
import { workflowIds, type LeaseDecision, type LeaseRequest } from '../../workflows/api';

/** A budget no test of another operation reaches. */
const TEST_BUDGET = 10;

export const guardActivities = (env: () => TestWorkflowEnvironment) =>
  clusterGuardActivities({ client: () => env().client, maxUnavailableNodes: () => TEST_BUDGET });

export async function endGuard(env: () => TestWorkflowEnvironment, cluster: string): Promise<void> {
  try {
    await env().client.workflow.getHandle(workflowIds.guard(cluster)).terminate('test over');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** Takes a lease as an operation would, for a holder the test names, on the test's task queue. */
export const takeLease = (
  env: () => TestWorkflowEnvironment,
  taskQueue: string,
  cluster: string,
  request: LeaseRequest,
): Promise<LeaseDecision> =>
  askGuard(env().client, taskQueue, cluster, { ...request, maxUnavailableNodes: TEST_BUDGET });
