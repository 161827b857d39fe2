// planKubernetesUpgrade: the version path, the batches and the add-on steps an upgrade would
// take, from the cluster as it is now. Changes nothing.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { KubernetesUpgradeInput, UpgradePlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseUpgradeInput, planUpgrade } from './policy/upgrade-plan';

const k8s = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export async function planKubernetesUpgrade(
  rawInput: KubernetesUpgradeInput,
): Promise<UpgradePlan> {
  const input = parseUpgradeInput(rawInput);
  const facts = await surfaceInvalidInput(k8s.readUpgradeFacts({ cluster: input.cluster }));
  return planUpgrade(input, facts);
}
