// planDrain: what a drain would do (pods to evict, skip and refuse, and why). Changes nothing.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DrainNodeInput, DrainPlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseDrainInput } from './policy/drain-input';
import { classifyPods } from './policy/pod-filters';

const k8s = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export async function planDrain(rawInput: DrainNodeInput): Promise<DrainPlan> {
  const input = parseDrainInput(rawInput);
  const { cluster, node } = input;
  const facts = await surfaceInvalidInput(k8s.describeNode({ cluster, node }));
  const verdicts = classifyPods(await k8s.listNodePods({ cluster, node }), input);
  return { cluster, node, alreadyCordoned: facts.unschedulable, ...verdicts };
}
