// planDrain: what a drain would do (pods to evict, skip and refuse, and why). Changes nothing.
import { kubernetesFewAttempts } from './operation/activity-profiles';
import type { DrainNodeInput, DrainPlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseDrainInput } from './policy/drain-input';
import { classifyPods } from './policy/pod-filters';
import { showReadOnly } from './operation/visibility';

export async function planDrain(rawInput: DrainNodeInput): Promise<DrainPlan> {
  const input = parseDrainInput(rawInput);
  const { cluster, node } = input;
  showReadOnly(`Dry run: drain plan of ${cluster}/${node}`);
  const facts = await surfaceInvalidInput(kubernetesFewAttempts.describeNode({ cluster, node }));
  const verdicts = classifyPods(await kubernetesFewAttempts.listNodePods({ cluster, node }), input);
  return { cluster, node, alreadyCordoned: facts.unschedulable, ...verdicts };
}
