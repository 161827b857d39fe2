// planRookCephUpgrade: what a Rook/Ceph upgrade would change (refused as the upgrade would refuse
// it), the daemons Rook would roll, and the health gate's verdict now. Changes nothing.
import type { RookCephUpgradeInput, RookCephUpgradePlan } from './api';
import { surfaceInvalidInput } from './activity-errors';
import { readCephHealth } from './ceph-health-check';
import { showReadOnly } from './operation/visibility';
import { kubernetesFewAttempts as reads } from './operation/activity-profiles';
import { parseRookCephUpgradeInput, rookCephPlan } from './policy/rook-upgrade';

export async function planRookCephUpgrade(
  rawInput: RookCephUpgradeInput,
): Promise<RookCephUpgradePlan> {
  const input = parseRookCephUpgradeInput(rawInput);
  showReadOnly(`Dry run: Rook/Ceph upgrade plan of ${input.cluster}`);
  const facts = await surfaceInvalidInput(reads.readRookCluster({ cluster: input.cluster }));
  return {
    ...rookCephPlan(input, facts),
    health: await readCephHealth(input.cluster),
    rookMessage: facts.cephCluster.message,
  };
}
