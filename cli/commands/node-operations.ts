// steward drain / uncordon: start the operation for a node and watch it.
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import {
  workflowIds,
  type DrainNodeInput,
  type DrainPlan,
  type UncordonNodeInput,
} from '../../workflows/api';
import { parseDrainInput, parseUncordonInput } from '../../workflows/policy/drain-input';
import { CliError, EXIT } from '../exit-codes';
import { writeResult, type OutputFormat } from '../output';
import { renderPlan } from '../render';
import { runReadOnly, startOperation } from './start-operation';

export interface StartOptions {
  detach?: boolean;
}

/** A command with a dry run, whose plan prints as text or, with `-o`, as JSON or YAML. */
export type PlanOptions = StartOptions & { dryRun?: boolean; output?: OutputFormat };

export function validated<T>(parse: (input: unknown) => T, input: unknown): T {
  try {
    return parse(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

export async function drain(
  client: Client,
  config: StewardConfig,
  input: DrainNodeInput,
  options: PlanOptions,
): Promise<number> {
  const parsed = validated(parseDrainInput, input);
  if (options.dryRun) {
    const plan = await runReadOnly<DrainPlan>(client, config, {
      workflowType: 'planDrain',
      workflowId: workflowIds.drainPlan(parsed.cluster, parsed.node),
      input: parsed,
      summary: `Dry run: drain plan for ${parsed.node} in ${parsed.cluster}`,
    });
    writeResult(plan, options.output, renderPlan);
    return plan.refuse.length > 0 ? EXIT.failed : EXIT.ok;
  }
  const summary =
    `Drain node ${parsed.node} in ${parsed.cluster} (timeout ${parsed.timeoutSeconds}s` +
    `${parsed.deleteEmptyDirData ? ', emptyDir data deleted' : ''}${parsed.force ? ', unmanaged pods forced' : ''})`;
  return startOperation(
    client,
    config,
    {
      workflowType: 'drainNode',
      workflowId: workflowIds.drain(parsed.cluster, parsed.node),
      input: parsed,
      summary,
      operation: 'drain',
      cluster: parsed.cluster,
      target: parsed.node,
    },
    options,
  );
}

export async function uncordon(
  client: Client,
  config: StewardConfig,
  input: UncordonNodeInput,
  options: StartOptions,
): Promise<number> {
  const parsed = validated(parseUncordonInput, input);
  const summary = `Uncordon node ${parsed.node} in ${parsed.cluster}${parsed.force ? ' (forced)' : ''}`;
  return startOperation(
    client,
    config,
    {
      workflowType: 'uncordonNode',
      workflowId: workflowIds.uncordon(parsed.cluster, parsed.node),
      input: parsed,
      summary,
      operation: 'uncordon',
      cluster: parsed.cluster,
      target: parsed.node,
    },
    options,
  );
}
