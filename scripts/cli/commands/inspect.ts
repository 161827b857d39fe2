// steward status / list / decide.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  decideUpdate,
  OPERATOR_DECISIONS,
  WORKFLOW_ID_PATTERN,
  type OperatorDecision,
} from '../../../workflows/api';
import { CliError, EXIT } from '../exit-codes';
import { outcomeOf, writeOutcome } from '../workflow-outcome';

export function checkWorkflowId(id: string): string {
  if (!WORKFLOW_ID_PATTERN.test(id)) {
    throw new CliError(
      `ID: "${id}" is not a Steward workflow ID (e.g. drain/lab/worker-3)`,
      EXIT.usage,
    );
  }
  return id;
}

export async function status(client: Client, id: string): Promise<number> {
  const outcome = await outcomeOf(client, checkWorkflowId(id));
  writeOutcome(outcome);
  return outcome.exitCode;
}

export async function list(client: Client, options: { all?: boolean }): Promise<number> {
  const query = `StewardOperation IS NOT NULL${options.all ? '' : ' AND ExecutionStatus = "Running"'}`;
  const rows: string[][] = [['ID', 'TYPE', 'STATUS', 'PHASE', 'STARTED']];
  for await (const wf of client.workflow.list({ query })) {
    const phase = wf.searchAttributes?.StewardPhase?.[0];
    rows.push([
      wf.workflowId,
      wf.type,
      wf.status.name,
      String(phase ?? ''),
      wf.startTime.toISOString(),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows)
    process.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  return EXIT.ok;
}

export async function decide(
  client: Client,
  id: string,
  decision: string,
  note?: string,
): Promise<number> {
  if (!OPERATOR_DECISIONS.includes(decision as OperatorDecision)) {
    throw new CliError(
      `DECISION: "${decision}" must be one of ${OPERATOR_DECISIONS.join(', ')}`,
      EXIT.usage,
    );
  }
  const handle = client.workflow.getHandle(checkWorkflowId(id));
  try {
    const answer = await handle.executeUpdate(decideUpdate, {
      args: [{ decision: decision as OperatorDecision, note }],
    });
    process.stdout.write(`${id}: ${answer}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new CliError(`${id}: ${err.cause?.message ?? err.message}`, EXIT.failed);
    }
    throw err;
  }
}
