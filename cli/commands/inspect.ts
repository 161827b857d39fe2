// steward status / list / decide.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  decideUpdate,
  OPERATOR_DECISIONS,
  searchAttributes,
  WORKFLOW_ID_PATTERN,
  type OperatorDecision,
} from '../../workflows/api';
import { CliError, EXIT } from '../exit-codes';
import { writeStructured, type OutputFormat } from '../output';
import { describeOperation, outcomeOf, writeOutcome } from '../workflow-outcome';

export function checkWorkflowId(id: string): string {
  if (!WORKFLOW_ID_PATTERN.test(id)) {
    throw new CliError(
      `ID: "${id}" is not a Steward workflow ID (e.g. drain/lab/worker-3)`,
      EXIT.usage,
    );
  }
  return id;
}

export async function status(
  client: Client,
  id: string,
  { output }: { output?: OutputFormat } = {},
): Promise<number> {
  const outcome = await outcomeOf(client, checkWorkflowId(id));
  if (output) writeStructured(await describeOperation(client, id, outcome), output);
  else writeOutcome(outcome);
  return outcome.exitCode;
}

export interface ListFilters {
  all?: boolean;
  operation?: string;
  cluster?: string;
  target?: string;
  phase?: string;
}

const FILTERS = {
  operation: searchAttributes.operation.name,
  cluster: searchAttributes.cluster.name,
  target: searchAttributes.target.name,
  phase: searchAttributes.phase.name,
} as const;

/** The visibility query of `steward list`: Steward's operations, narrowed by search attributes. */
export function listQuery(filters: ListFilters): string {
  const clauses = ['StewardOperation IS NOT NULL'];
  for (const [flag, attribute] of Object.entries(FILTERS)) {
    const value = filters[flag as keyof typeof FILTERS];
    if (value === undefined) continue;
    // Values of the search attributes are names and versions: nothing to quote or escape.
    if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]*$/.test(value)) {
      throw new CliError(
        `--${flag}: "${value}" is not a name such as k8s-upgrade or lab`,
        EXIT.usage,
      );
    }
    clauses.push(`${attribute} = "${value}"`);
  }
  if (!filters.all) clauses.push('ExecutionStatus = "Running"');
  return clauses.join(' AND ');
}

export async function list(
  client: Client,
  options: ListFilters & { quiet?: boolean; output?: OutputFormat },
): Promise<number> {
  const query = listQuery(options);
  const operations = [];
  for await (const wf of client.workflow.list({ query })) {
    operations.push({
      id: wf.workflowId,
      type: wf.type,
      status: wf.status.name,
      phase: String(wf.searchAttributes?.StewardPhase?.[0] ?? ''),
      started: wf.startTime.toISOString(),
    });
  }
  if (options.output) writeStructured(operations, options.output);
  else if (options.quiet) for (const op of operations) process.stdout.write(`${op.id}\n`);
  else writeTable(operations.map((op) => [op.id, op.type, op.status, op.phase, op.started]));
  return EXIT.ok;
}

function writeTable(rows: string[][]): void {
  rows.unshift(['ID', 'TYPE', 'STATUS', 'PHASE', 'STARTED']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) {
    process.stdout.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
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
