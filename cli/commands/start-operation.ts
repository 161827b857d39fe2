// Starts an operation under its derived ID (a second start is refused) and watches it; runs a
// read-only one (a plan, a check) under its derived ID and returns its result. Each start carries
// the Temporal UI's static summary (one line) and details (its input and how to follow it).
import { userInfo } from 'node:os';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { StewardConfig } from '../../workers/config';
import { searchAttributes } from '../../workflows/api';
import { uiLink } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { watch } from './watch';

export interface Operation {
  workflowType: string;
  workflowId: string;
  input: unknown;
  summary: string;
  /** Search attributes: the operation's short name, its cluster and its target. */
  operation: string;
  cluster: string;
  target: string;
}

export async function startOperation(
  client: Client,
  config: StewardConfig,
  op: Operation,
  options: { detach?: boolean },
): Promise<number> {
  try {
    await client.workflow.start(op.workflowType, {
      taskQueue: config.taskQueue,
      workflowId: op.workflowId,
      args: [op.input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: op.summary,
      staticDetails: startDetails(op.input, 'the steward CLI', followCommands(op.workflowId)),
      typedSearchAttributes: [
        { key: searchAttributes.operation, value: op.operation },
        { key: searchAttributes.cluster, value: op.cluster },
        { key: searchAttributes.target, value: op.target },
      ],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new CliError(
        `${op.workflowId} is already running; follow it with: steward watch ${op.workflowId}`,
        EXIT.failed,
      );
    }
    throw err;
  }
  process.stdout.write(`started ${op.workflowId}\n  ${uiLink(config, op.workflowId)}\n`);
  if (options.detach) return EXIT.ok;
  return (await watch(client, op.workflowId)).exitCode;
}

/** Runs a workflow that changes nothing (a dry run's plan, a check), again each time it is asked for. */
export function runReadOnly<T>(
  client: Client,
  config: StewardConfig,
  run: { workflowType: string; workflowId: string; input: unknown; summary: string },
): Promise<T> {
  return client.workflow.execute(run.workflowType, {
    taskQueue: config.taskQueue,
    workflowId: run.workflowId,
    args: [run.input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    staticSummary: run.summary,
    staticDetails: startDetails(run.input, 'the steward CLI', followCommands(run.workflowId)),
  }) as Promise<T>;
}

/** How to follow a run of this ID from the CLI. */
export const followCommands = (workflowId: string) =>
  `\`steward watch ${workflowId}\` · \`steward status ${workflowId}\``;

/** The UI's static details of a start: who started it, its input, and how to follow it. */
export function startDetails(input: unknown, startedBy: string, follow: string): string {
  return [
    `Started by ${startedBy} (user ${userInfo().username}).`,
    '',
    '**Input**',
    '```json',
    JSON.stringify(input, null, 2),
    '```',
    `Follow: ${follow}`,
  ].join('\n');
}
