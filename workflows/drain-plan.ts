// planDrain: what a drain would do (pods to evict, skip and refuse, and why). Changes nothing.
import { k8sFewAttempts as k8s } from './kubernetes-activities';
import type { DrainNodeInput, DrainPlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseDrainInput } from './policy/drain-input';
import { classifyPods } from './policy/pod-filters';

export async function planDrain(rawInput: DrainNodeInput): Promise<DrainPlan> {
  const input = parseDrainInput(rawInput);
  const { cluster, node } = input;
  const facts = await surfaceInvalidInput(k8s.describeNode({ cluster, node }));
  const verdicts = classifyPods(await k8s.listNodePods({ cluster, node }), input);
  return { cluster, node, alreadyCordoned: facts.unschedulable, ...verdicts };
}
