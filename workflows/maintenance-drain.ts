// The drain before a node's maintenance (an upgrade, a reinstall): a child drainNode under the
// node's drain ID, evicting emptyDir pods (the node is going down anyway) and forcing nothing.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ChildWorkflowFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import { workflowIds, type DrainNodeResult } from './api';
import { drainNode } from './node-drain';

/** The drain's result, or what went wrong when the child failed outright. */
export async function drainForMaintenance(
  cluster: string,
  node: string,
  timeoutSeconds: number,
): Promise<DrainNodeResult | { failed: string }> {
  const workflowId = workflowIds.drain(cluster, node);
  try {
    return await executeChild(drainNode, {
      workflowId,
      staticSummary: `Drain ${node} in ${cluster} for ${workflowInfo().workflowId}`,
      args: [{ cluster, node, timeoutSeconds, deleteEmptyDirData: true, force: false }],
    });
  } catch (err) {
    // An operator's drain of the node runs: it is theirs to finish, never this operation's.
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { failed: `drain ${workflowId} runs already; retry once it has ended` };
    }
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    return { failed: `drain failed: ${err.cause?.message ?? err.message}` };
  }
}
