// steward k8s-upgrade CLUSTER --to VERSION: the rollout, or with --dry-run its plan.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StewardConfig } from '../../../workers/config';
import {
  searchAttributes,
  workflowIds,
  type KubernetesUpgradeInput,
  type UpgradePlan,
} from '../../../workflows/api';
import { parseUpgradeInput, type ParsedUpgradeInput } from '../../../workflows/policy/upgrade-plan';
import { uiLink } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { renderUpgradePlan } from '../render';
import { watch } from './watch';

export async function kubernetesUpgrade(
  client: Client,
  config: StewardConfig,
  input: KubernetesUpgradeInput,
  options: { dryRun?: boolean; detach?: boolean },
): Promise<number> {
  let parsed: ParsedUpgradeInput;
  try {
    parsed = parseUpgradeInput(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  if (!options.dryRun) return start(client, config, parsed, options);
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

async function start(
  client: Client,
  config: StewardConfig,
  input: ParsedUpgradeInput,
  options: { detach?: boolean },
): Promise<number> {
  const workflowId = workflowIds.upgrade(input.cluster);
  try {
    await client.workflow.start('kubernetesUpgrade', {
      taskQueue: config.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `Kubernetes upgrade of ${input.cluster} to ${input.target} (max ${input.maxUnavailable} workers unavailable)`,
      typedSearchAttributes: [
        { key: searchAttributes.operation, value: 'k8s-upgrade' },
        { key: searchAttributes.cluster, value: input.cluster },
        { key: searchAttributes.target, value: input.target },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new CliError(
        `${workflowId} is already running; follow it with: steward watch ${workflowId}`,
        EXIT.failed,
      );
    }
    throw err;
  }
  process.stdout.write(`started ${workflowId}\n  ${uiLink(config, workflowId)}\n`);
  if (options.detach) return EXIT.ok;
  return (await watch(client, workflowId)).exitCode;
}
