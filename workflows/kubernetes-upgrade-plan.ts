// planKubernetesUpgrade: the version path, the batches and the add-on steps an upgrade would
// take, from the cluster as it is now. Changes nothing.
import { kubernetesFewAttempts } from './operation/activity-profiles';
import type { KubernetesUpgradeInput, UpgradePlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { parseUpgradeInput, planUpgrade } from './policy/upgrade-plan';
import { showReadOnly } from './operation/visibility';

export async function planKubernetesUpgrade(
  rawInput: KubernetesUpgradeInput,
): Promise<UpgradePlan> {
  const input = parseUpgradeInput(rawInput);
  showReadOnly(`Dry run: Kubernetes upgrade plan of ${input.cluster} to ${input.target}`);
  const facts = await surfaceInvalidInput(
    kubernetesFewAttempts.readUpgradeFacts({ cluster: input.cluster, nodes: input.nodes }),
  );
  return planUpgrade(input, facts, await kubernetesFewAttempts.readKubernetesReleases());
}
