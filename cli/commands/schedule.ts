// steward schedule: Steward operations on Temporal Schedules.
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSummary,
} from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import { CliError, EXIT } from '../exit-codes';
import { OPERATIONS } from '../operations';
import { startDetails } from './start-operation';

export interface ScheduleRequest {
  operation: string;
  input: unknown;
  everySeconds?: number;
  cron?: string;
}

/** How long after a missed time (server down) a run still starts: one interval, at least a minute. */
const catchupSeconds = (r: ScheduleRequest) =>
  r.everySeconds !== undefined ? Math.max(r.everySeconds, 60) : 3600;

const when = (r: ScheduleRequest) =>
  r.everySeconds !== undefined ? `every ${r.everySeconds}s` : `cron "${r.cron}"`;

/** Checks the operation and its input as the workflow would, before any Schedule exists. */
export function scheduleOptions(config: StewardConfig, r: ScheduleRequest): ScheduleOptions {
  const operation = OPERATIONS[r.operation];
  if (!operation) {
    throw new CliError(
      `OPERATION: "${r.operation}" must be one of ${Object.keys(OPERATIONS).join(', ')}`,
      EXIT.usage,
    );
  }
  if (operation.notSchedulable) {
    throw new CliError(
      `OPERATION: ${r.operation} may not run on a schedule: ${operation.notSchedulable}`,
      EXIT.usage,
    );
  }
  if ((r.everySeconds === undefined) === (r.cron === undefined)) {
    throw new CliError('--every or --cron: give exactly one', EXIT.usage);
  }
  let input: object;
  try {
    input = operation.parse(r.input);
  } catch (err) {
    throw new CliError(`--input: ${(err as Error).message}`, EXIT.usage);
  }
  const scheduleId = operation.workflowId(input);
  return {
    scheduleId,
    spec:
      r.everySeconds !== undefined
        ? { intervals: [{ every: `${r.everySeconds}s` }] }
        : { cronExpressions: [r.cron as string] },
    action: {
      type: 'startWorkflow',
      workflowType: operation.workflowType,
      // The Schedule appends each run's time to this ID.
      workflowId: scheduleId,
      taskQueue: config.taskQueue,
      args: [input],
      staticSummary: `Scheduled ${r.operation} (${when(r)}): ${operation.summary}`,
      staticDetails: startDetails(
        input,
        `the Schedule ${scheduleId} (${when(r)})`,
        "`steward schedule list`; each run has its own ID: the schedule's, with its time",
      ),
    },
    policies: {
      // A run still going when the next is due makes the next one pointless.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: `${catchupSeconds(r)}s`,
      // The next run may well succeed; a failure shows in that run's history.
      pauseOnFailure: false,
    },
    state: { note: `steward schedule create ${r.operation} ${when(r)}` },
  };
}

/** Creates the Schedule, or updates its timing and input when it exists. */
export async function createSchedule(
  client: Client,
  config: StewardConfig,
  r: ScheduleRequest,
): Promise<number> {
  const options = scheduleOptions(config, r);
  let verb = 'created';
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
    verb = 'updated';
  }
  process.stdout.write(
    `schedule ${options.scheduleId} ${verb}: ${when(r)}; overlap skip, catch-up ${catchupSeconds(r)}s, not paused on failure\n`,
  );
  return EXIT.ok;
}

const STEWARD_TYPES = new Set(Object.values(OPERATIONS).map((o) => o.workflowType));

function describeSummary(s: ScheduleSummary): string {
  const type = s.action?.type === 'startWorkflow' ? s.action.workflowType : '?';
  const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
  const last = s.info.recentActions.at(-1)?.takenAt.toISOString() ?? '-';
  const state = s.state.paused ? 'paused' : 'active';
  return `${s.scheduleId}  ${type}  ${state}  next ${next}  last ${last}  ${s.state.note ?? ''}`;
}

export async function listSchedules(client: Client): Promise<number> {
  const lines: string[] = [];
  for await (const summary of client.schedule.list()) {
    const type = summary.action?.type === 'startWorkflow' ? summary.action.workflowType : '';
    if (STEWARD_TYPES.has(type)) lines.push(describeSummary(summary));
  }
  process.stdout.write(lines.length ? `${lines.sort().join('\n')}\n` : 'no schedules\n');
  return EXIT.ok;
}

export async function changeSchedule(
  client: Client,
  id: string,
  change: 'pause' | 'resume' | 'delete',
  note: string,
): Promise<number> {
  const handle = client.schedule.getHandle(id);
  try {
    if (change === 'pause') await handle.pause(note);
    else if (change === 'resume') await handle.unpause(note);
    else await handle.delete();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) {
      throw new CliError(`ID: no schedule "${id}"`, EXIT.notFound);
    }
    throw err;
  }
  process.stdout.write(`schedule ${id} ${change === 'resume' ? 'resumed' : `${change}d`}\n`);
  return EXIT.ok;
}
