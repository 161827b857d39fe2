// uncordonNode: return a node to service, but only one that Steward cordoned unless forced.
import { workflowInfo } from '@temporalio/workflow';
import { kubernetes } from './operation/activity-profiles';
import { invalidInput, workflowIds, type UncordonNodeInput, type UncordonNodeResult } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseUncordonInput } from './policy/drain-input';
import { announce, showPhase } from './operation/visibility';

export async function uncordonNode(rawInput: UncordonNodeInput): Promise<UncordonNodeResult> {
  const { cluster, node, force } = parseUncordonInput(rawInput);
  const expectedId = workflowIds.uncordon(cluster, node);
  if (workflowInfo().workflowId !== expectedId) {
    throw invalidInput('workflowId', `must be "${expectedId}" so that one uncordon runs per node`);
  }
  announce('uncordon', cluster, node);
  const result = await surfaceInvalidInput(kubernetes.uncordonNode({ cluster, node, force }));
  showPhase(
    result.uncordoned ? 'uncordoned' : 'unchanged',
    `**Uncordon ${cluster}/${node}**: ${result.message}`,
  );
  return { cluster, node, ...result };
}
