// One cell of the fault matrix on a running stack: each planned run readies the lab, injects the
// fault, starts the operation through bin/steward, SIGKILLs the worker at its planned point and
// starts another, answers where the operation asks, and ends with the run's ground truth read
// from the lab's servers and judged by the unsafe-action checker.
import { setTimeout as sleep } from 'node:timers/promises';
import type { OperatorDecision } from '../../workflows/api';
import { watchGroundTruth } from '../../test/support/ground-truth';
import type { OperationWindow } from '../../test/support/ground-truth/records';
import {
  killWorkerAndStartAnother,
  startTestStack,
  type TestStack,
} from '../../test/support/stack';
import { checkRun, type Bounds, type Finding } from '../../test/support/unsafe-actions';
import type { CellResult, PlannedCell, PlannedRun } from './fault-matrix-plan';

/** What a run shows in its status: its step, and whether it waits for an operator. */
export interface SeenStep {
  name: string;
  waiting: boolean;
  /** The workflow that asks, when it is one below the operation (a node's upgrade). */
  asks?: string;
}

/** One run of an operation, readied on the lab with the fault injected. */
export interface PreparedRun {
  window: Pick<OperationWindow, 'id' | 'kind' | 'targets'>;
  /** bin/steward's arguments that start it (without `--detach`). */
  args: string[];
  step(): Promise<SeenStep>;
  /** Clears the fault, before an operator's `retry`. */
  clearFault(): Promise<void>;
  /** Whether it ended as it should under the fault, from its result and the lab. */
  endedAsExpected(result: unknown): Promise<boolean>;
  /** Clears the fault and leaves the lab ready for the next run. */
  cleanUp(): Promise<void>;
}

/** How the matrix runs one operation: its lab, and each run of it. */
export interface OperationDriver {
  scenario: string;
  /** Runs one lab takes before it must start afresh (an upgraded cluster stays upgraded). */
  runsPerLab?: number;
  bounds: Bounds;
  /** The faults it can inject so far. */
  faults: string[];
  /** The steps a run shows under the fault, in order (a kill is planned in one of them). */
  steps(fault: string): string[];
  /** `runOnLab` counts from 0 on each lab. */
  prepare(stack: TestStack, fault: string, runOnLab: number): Promise<PreparedRun>;
}

/**
 * An operation's stack, reused across runs and started afresh when its lab is used up; or one a
 * test file already runs (`given`), which it borrows and never stops.
 */
export class Stacks {
  private stack?: TestStack;
  private runs = 0;

  constructor(
    private readonly driver: OperationDriver,
    private readonly given?: TestStack,
  ) {}

  async next(): Promise<{ stack: TestStack; runOnLab: number }> {
    if (this.given) return { stack: this.given, runOnLab: this.runs++ };
    const { runsPerLab } = this.driver;
    if (this.stack && runsPerLab !== undefined && this.runs >= runsPerLab) await this.stop();
    if (!this.stack) {
      this.stack = await startTestStack(this.driver.scenario);
      this.runs = 0;
    }
    return { stack: this.stack, runOnLab: this.runs++ };
  }

  async stop(): Promise<void> {
    await this.stack?.stop();
    this.stack = undefined;
  }
}

export interface RunReport {
  killed: boolean;
  asExpected: boolean;
  unsafe: Finding[];
  doubled: Finding[];
  samplerFailures: number;
  /** Where the kill landed and how the run ended, for the log. */
  note: string;
}

const POLL_MS = 200;
const RUN_TIMEOUT_MS = 10 * 60_000;

/** The worker's kill and the operator's answers, as the run's status shows its steps. */
class Script {
  killed = false;
  retries: string[] = [];
  note = 'no kill: the run ended before its planned point';
  private reachedAt?: number;
  private answered = false;

  constructor(
    private readonly stack: TestStack,
    private readonly run: PreparedRun,
    private readonly steps: string[],
    private readonly planned: PlannedRun,
    private readonly decision?: OperatorDecision,
  ) {}

  private get killStep() {
    return this.steps[this.planned.kill.step % this.steps.length];
  }

  async act(seen: SeenStep): Promise<void> {
    const index = this.steps.indexOf(seen.name);
    if (this.reachedAt === undefined && index >= this.steps.indexOf(this.killStep))
      this.reachedAt = Date.now();
    if (!this.killed && this.reachedAt !== undefined) {
      if (Date.now() - this.reachedAt < this.planned.kill.delayMs) return;
      await killWorkerAndStartAnother(this.stack);
      this.killed = true;
      this.note = `killed ${this.planned.kill.delayMs} ms into ${this.killStep} (seen: ${seen.name})`;
      return;
    }
    if (!seen.waiting) this.answered = false;
    // A kill planned later in the run comes after the answer; one due now comes first.
    if (!seen.waiting || this.answered || !this.decision) return;
    if (this.decision === 'retry') await this.run.clearFault();
    // Noted when asked: the redo may come before `steward decide` returns.
    if (this.decision === 'retry') this.retries.push(new Date().toISOString());
    const id = seen.asks ?? this.run.window.id;
    const decided = await this.stack.steward('decide', id, this.decision);
    if (decided.code !== 0) throw new Error(`decide: ${decided.stdout}${decided.stderr}`);
    this.answered = true;
  }
}

/** How a run ended, in a line: its result's message, or its error. */
const ending = (outcome: unknown) =>
  outcome instanceof Error
    ? outcome.message
    : ((outcome as { message?: string }).message ?? JSON.stringify(outcome).slice(0, 200));

/** Runs one planned run of a cell on the stack, from a ready lab back to a ready lab. */
export async function runOnce(
  stacks: Stacks,
  driver: OperationDriver,
  cell: PlannedCell,
  planned: PlannedRun,
): Promise<RunReport> {
  const { stack, runOnLab } = await stacks.next();
  const run = await driver.prepare(stack, cell.fault.name, runOnLab);
  const steps = driver.steps(cell.fault.name);
  const script = new Script(stack, run, steps, planned, cell.fault.decision);
  const watch = watchGroundTruth(stack.lab);
  const start = new Date().toISOString();
  const started = await stack.steward(...run.args, '--detach');
  if (started.code !== 0) throw new Error(`steward ${run.args.join(' ')}: ${started.stderr}`);
  const handle = stack.client.workflow.getHandle(run.window.id);
  let ended = false;
  const result = handle.result().then(
    (r: unknown) => r,
    (err: unknown) => err,
  );
  void result.finally(() => (ended = true));
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!ended && Date.now() < deadline) {
    // A query can fail while the new worker replays; the next look sees the step.
    const seen = await run.step().catch(() => undefined);
    if (seen && !ended) await script.act(seen);
    await sleep(POLL_MS);
  }
  if (!ended) await handle.terminate('fault matrix: the run did not end in time');
  const outcome = await result;
  const end = new Date().toISOString();
  const window = { ...run.window, start, end, retries: script.retries };
  const { records, samplerFailures } = await watch.finish([window]);
  const found = checkRun(records, driver.bounds);
  const asExpected = ended && (await run.endedAsExpected(outcome));
  await run.cleanUp();
  const seconds = Math.round((Date.parse(end) - Date.parse(start)) / 1000);
  const note = `${script.note}; ${asExpected ? 'as expected' : 'NOT as expected'} after ${seconds} s: ${ending(outcome)}`;
  return { killed: script.killed, asExpected, ...found, samplerFailures, note };
}

/** Runs every planned run of a cell, logging each, and sums them into the table's row. */
export async function runCell(
  stacks: Stacks,
  driver: OperationDriver,
  cell: PlannedCell,
  log: (line: string) => void = console.log,
): Promise<CellResult & { reports: RunReport[] }> {
  const reports: RunReport[] = [];
  for (const planned of cell.runs) {
    const report = await runOnce(stacks, driver, cell, planned);
    reports.push(report);
    log(`${cell.id} run ${planned.run}: ${report.note}`);
    for (const f of [...report.unsafe, ...report.doubled])
      log(`  ${f.rule} at ${f.at}: ${f.detail}`);
  }
  const count = (f: (r: RunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  return {
    cell,
    kills: count((r) => Number(r.killed)),
    asExpected: count((r) => Number(r.asExpected)),
    unsafe: count((r) => r.unsafe.length),
    doubled: count((r) => r.doubled.length),
    reports,
  };
}
