// steward drain / uncordon: start the operation for a node and watch it.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StewardConfig } from '../../../workers/config';
import {
  searchAttributes,
  workflowIds,
  type DrainNodeInput,
  type DrainPlan,
  type UncordonNodeInput,
} from '../../../workflows/api';
import { parseDrainInput, parseUncordonInput } from '../../../workflows/policy/drain-input';
import { uiLink } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { renderPlan } from '../render';
import { watch } from './watch';

export interface StartOptions {
  detach?: boolean;
}

function validated<T>(parse: (input: unknown) => T, input: unknown): T {
  try {
    return parse(input);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

async function startAndWatch(
  client: Client,
  config: StewardConfig,
  workflowType: 'drainNode' | 'uncordonNode',
  workflowId: string,
  input: DrainNodeInput | UncordonNodeInput,
  summary: string,
  options: StartOptions,
): Promise<number> {
  try {
    await client.workflow.start(workflowType, {
      taskQueue: config.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: summary,
      typedSearchAttributes: [
        {
          key: searchAttributes.operation,
          value: workflowType === 'drainNode' ? 'drain' : 'uncordon',
        },
        { key: searchAttributes.cluster, value: input.cluster },
        { key: searchAttributes.target, value: input.node },
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

export async function drain(
  client: Client,
  config: StewardConfig,
  input: DrainNodeInput,
  options: StartOptions & { dryRun?: boolean },
): Promise<number> {
  const parsed = validated(parseDrainInput, input);
  if (options.dryRun) {
    const plan: DrainPlan = await client.workflow.execute('planDrain', {
      taskQueue: config.taskQueue,
      workflowId: workflowIds.drainPlan(parsed.cluster, parsed.node),
      args: [parsed],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `Dry run: drain plan for ${parsed.node} in ${parsed.cluster}`,
    });
    process.stdout.write(`${renderPlan(plan)}\n`);
    return plan.refuse.length > 0 ? EXIT.failed : EXIT.ok;
  }
  const summary =
    `Drain node ${parsed.node} in ${parsed.cluster} (timeout ${parsed.timeoutSeconds}s` +
    `${parsed.deleteEmptyDirData ? ', emptyDir data deleted' : ''}${parsed.force ? ', unmanaged pods forced' : ''})`;
  return startAndWatch(
    client,
    config,
    'drainNode',
    workflowIds.drain(parsed.cluster, parsed.node),
    parsed,
    summary,
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
  return startAndWatch(
    client,
    config,
    'uncordonNode',
    workflowIds.uncordon(parsed.cluster, parsed.node),
    parsed,
    summary,
    options,
  );
}
