// steward k8s-upgrade CLUSTER --to VERSION: the rollout, or with --dry-run its plan.
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import { workflowIds, type KubernetesUpgradeInput, type UpgradePlan } from '../../workflows/api';
import { parseUpgradeInput, type ParsedUpgradeInput } from '../../workflows/policy/upgrade-plan';
import { CliError, EXIT } from '../exit-codes';
import {
  insideWindow,
  nextOpening,
  type MaintenanceWindows,
} from '../../workflows/policy/maintenance-window';
import { writeStructured } from '../output';
import { renderUpgradePlan, renderWindowNow } from '../render';
import type { PlanOptions } from './node-operations';
import { runReadOnly, startOperation } from './start-operation';

export async function kubernetesUpgrade(
  client: Client,
  config: StewardConfig,
  input: KubernetesUpgradeInput,
  options: PlanOptions,
): Promise<number> {
  let parsed: ParsedUpgradeInput;
  try {
    parsed = parseUpgradeInput(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
  if (!options.dryRun) return start(client, config, parsed, options);
  const plan = await runReadOnly<UpgradePlan>(client, config, {
    workflowType: 'planKubernetesUpgrade',
    workflowId: workflowIds.upgradePlan(parsed.cluster),
    input: parsed,
    summary: `Dry run: Kubernetes upgrade plan for ${parsed.cluster} to ${parsed.target}`,
  });
  const now = Date.now();
  if (options.output) {
    const window = parsed.window && windowNow(parsed.window, now);
    writeStructured({ ...plan, ...(window && { window }) }, options.output);
    return EXIT.ok;
  }
  process.stdout.write(`${renderUpgradePlan(plan)}\n`);
  if (parsed.window) process.stdout.write(`${renderWindowNow(parsed.window, now)}\n`);
  return EXIT.ok;
}

/** The maintenance window now, for scripts: open, or when it opens next (ISO 8601). */
function windowNow(window: MaintenanceWindows, now: number): { open: boolean; opensAt?: string } {
  if (insideWindow(window, now)) return { open: true };
  return { open: false, opensAt: new Date(nextOpening(window, now).at).toISOString() };
}

function start(
  client: Client,
  config: StewardConfig,
  input: ParsedUpgradeInput,
  options: { detach?: boolean },
): Promise<number> {
  return startOperation(
    client,
    config,
    {
      workflowType: 'kubernetesUpgrade',
      workflowId: workflowIds.upgrade(input.cluster),
      input,
      summary: `Kubernetes upgrade of ${input.cluster} to ${input.target} (max ${input.maxUnavailable} workers unavailable)`,
      operation: 'k8s-upgrade',
      cluster: input.cluster,
      target: input.target,
    },
    options,
  );
}
