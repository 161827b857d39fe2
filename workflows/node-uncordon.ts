// uncordonNode: return a node to service. Only a cordon a Steward operation recorded is freed, and
// not while that operation still runs (it is named); `force` overrides both. The record read is
// the one freed: a cordon set in between by another operation is left as it is.
import { guardCalls, kubernetes } from './operation/activity-profiles';
import { workflowIds, type UncordonNodeInput, type UncordonNodeResult } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseUncordonInput } from './policy/drain-input';
import { announce, showPhase } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';

export async function uncordonNode(rawInput: UncordonNodeInput): Promise<UncordonNodeResult> {
  const { cluster, node, force } = parseUncordonInput(rawInput);
  requireWorkflowId(workflowIds.uncordon(cluster, node), 'one uncordon runs per node');
  announce('uncordon', cluster, node);
  const result = await surfaceInvalidInput(uncordon(cluster, node, force));
  showPhase(
    result.uncordoned ? 'uncordoned' : 'unchanged',
    `**Uncordon ${cluster}/${node}**: ${result.message}`,
  );
  return { cluster, node, ...result };
}

async function uncordon(cluster: string, node: string, force: boolean) {
  const { unschedulable, cordonedBy } = await kubernetes.describeNode({ cluster, node });
  if (unschedulable && cordonedBy !== undefined && !force) {
    const holder = await guardCalls.describeCordonHolder({ record: cordonedBy });
    if (holder?.running) {
      const message = `held by ${holder.workflowId} (run ${holder.runId}), which still runs; --force overrides`;
      return { uncordoned: false, message };
    }
  }
  return kubernetes.uncordonNode({ cluster, node, owner: cordonedBy, force });
}
