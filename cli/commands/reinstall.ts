// steward reinstall NODE: reinstall a bare-metal host through its BMC and PXE, and watch it.
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import {
  DEPLOYMENT_OPTIONS,
  workflowIds,
  type DeploymentOption,
  type NodeReinstallInput,
  type ReinstallPlan,
} from '../../workflows/api';
import { parseReinstallInput } from '../../workflows/policy/reinstall-input';
import { CliError, EXIT } from '../exit-codes';
import { writeResult } from '../output';
import { renderReinstallPlan } from '../render';
import { validated, type PlanOptions } from './node-operations';
import { runReadOnly, startOperation } from './start-operation';

/** `--deploy standard|none|custom:PATH` as the workflow's input fields. */
export function parseDeployFlag(
  value: string,
): Pick<NodeReinstallInput, 'deployment' | 'customScript'> {
  const [option, ...rest] = value.split(':');
  const path = rest.join(':');
  if (option === 'custom') {
    if (!path)
      throw new CliError('--deploy: custom needs a path, e.g. custom:/srv/base.sh', EXIT.usage);
    return { deployment: 'custom', customScript: path };
  }
  if (!DEPLOYMENT_OPTIONS.includes(option as DeploymentOption) || rest.length > 0) {
    throw new CliError(
      `--deploy: must be standard, none or custom:PATH, not "${value}"`,
      EXIT.usage,
    );
  }
  return { deployment: option as DeploymentOption };
}

export async function reinstall(
  client: Client,
  config: StewardConfig,
  input: NodeReinstallInput,
  options: PlanOptions,
): Promise<number> {
  const parsed = validated(parseReinstallInput, input);
  if (options.dryRun) {
    const plan = await runReadOnly<ReinstallPlan>(client, config, {
      workflowType: 'planReinstall',
      workflowId: workflowIds.reinstallPlan(parsed.node),
      input,
      summary: `Dry run: reinstall plan for ${parsed.node}`,
    });
    writeResult(plan, options.output, renderReinstallPlan);
    return EXIT.ok;
  }
  return startOperation(
    client,
    config,
    {
      workflowType: 'nodeReinstall',
      workflowId: workflowIds.reinstall(parsed.node),
      input,
      summary: `Reinstall ${parsed.node} (${parsed.deployment ?? 'deployment from NetBox'}) through its BMC and PXE`,
      operation: 'reinstall',
      cluster: parsed.cluster,
      target: parsed.node,
    },
    options,
  );
}
