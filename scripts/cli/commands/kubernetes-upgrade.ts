// steward k8s-upgrade CLUSTER --to VERSION --dry-run: the plan of a Kubernetes upgrade.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StewardConfig } from '../../../workers/config';
import { workflowIds, type KubernetesUpgradeInput, type UpgradePlan } from '../../../workflows/api';
import { parseUpgradeInput } from '../../../workflows/policy/upgrade-plan';
import { CliError, EXIT } from '../exit-codes';
import { renderUpgradePlan } from '../render';

export async function kubernetesUpgrade(
  client: Client,
  config: StewardConfig,
  input: KubernetesUpgradeInput,
  options: { dryRun?: boolean },
): Promise<number> {
  if (!options.dryRun) {
    throw new CliError(
      '--dry-run: required for now; the upgrade itself is not built yet, its plan is',
      EXIT.usage,
    );
  }
  let parsed: Required<KubernetesUpgradeInput>;
  try {
    parsed = parseUpgradeInput(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  const plan: UpgradePlan = await client.workflow.execute('planKubernetesUpgrade', {
    taskQueue: config.taskQueue,
    workflowId: workflowIds.upgradePlan(parsed.cluster),
    args: [parsed],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: `Dry run: Kubernetes upgrade plan for ${parsed.cluster} to ${parsed.target}`,
  });
  process.stdout.write(`${renderUpgradePlan(plan)}\n`);
  return EXIT.ok;
}
