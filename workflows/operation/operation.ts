// An operation: a state object, the named steps that change it, and one loop that runs them.
// The loop holds what every operation promises: a problem waits for a person who is told why;
// an outage of NetBox, OpenStack or Vault is waited out and shown, and asked about only after a
// long bound; each attempt re-runs the step's checks (`recheck`), so no action relies on facts
// read before a wait.
import {
  ActivityFailure,
  ApplicationFailure,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type QueryDefinition,
} from '@temporalio/workflow';
import {
  searchAttributes,
  type DecideRequest,
  type OperationWaits,
  type OperatorDecision,
} from '../api';
import { activityProblem } from '../activity-errors';
import { recordStepDuration } from '../metrics';
import {
  DEFAULT_OUTAGE_BOUND_SECONDS,
  describeOutage,
  outageBackoffSeconds,
  outageSystem,
} from '../policy/outage-wait';
import type { MaintenanceWindows } from '../policy/maintenance-window';
import { untilWindowOpens } from '../window-wait';
import { OperatorGate } from './operator-gate';
import { announce } from './visibility';

/** A step: `undefined` when it is done, else the problem an operator reads. */
export type StepRun = () => Promise<string | undefined>;

export interface StepOptions {
  /** What the operator may answer; a failed step offers retry, skip and abort. */
  decisions?: OperatorDecision[];
  /** Checks read again right before every attempt; a problem stops the attempt before it acts. */
  recheck?: StepRun;
  /** Runs on a problem before the operator is asked; its text is added to the reason. */
  onProblem?: (problem: string) => Promise<string>;
  /** Runs after an operator's `retry`, before the step runs again. */
  onRetry?: (request: DecideRequest) => Promise<void>;
}

export interface Step {
  name: string;
  run: StepRun;
  options?: StepOptions;
}

/** How a step ended: done, or the operator's skip or abort. */
export type StepEnd = 'done' | 'skip' | 'abort';

export interface OperationSpec<S> {
  /** Search attributes: the operation's kind, its cluster (or region) and its target. */
  kind: string;
  cluster: string;
  target: string;
  /** The status query this operation answers. */
  query: QueryDefinition<S>;
  /** The details' first line, e.g. "**Drain lab/worker-1**: evicting". */
  title: () => string;
  /** The operation's own lines below the title. */
  details?: () => string[];
  /** The phase search attribute when nothing is awaited; the current step by default. */
  phase?: () => string;
  /** Called when a step starts, to write its name into the status. */
  onStep?: (name: string) => void;
  /** How long an outage is waited out before an operator is asked. */
  outageBoundSeconds?: number;
}

export class Operation<S extends OperationWaits> {
  readonly gate = new OperatorGate();
  step = 'validating';
  private unavailable?: string;
  private waitingForWindow?: string;
  private shownPhase?: string;

  constructor(
    readonly status: S,
    private readonly spec: OperationSpec<S>,
  ) {
    setHandler(spec.query, () => this.snapshot());
    announce(spec.kind, spec.cluster, spec.target);
  }

  /** The status as the query, the result and the CLI see it. */
  snapshot(): S {
    return {
      ...this.status,
      waitingReason: this.gate.reason,
      unavailable: this.unavailable,
      waitingForWindow: this.waitingForWindow,
      decisions: [...this.status.decisions, ...this.gate.decisions],
    };
  }

  /** The phase search attribute (written when it changes) and the current details. */
  show(): void {
    const phase = this.gate.reason
      ? 'waiting-for-operator'
      : this.unavailable
        ? 'waiting-for-system'
        : this.waitingForWindow
          ? 'waiting-for-window'
          : (this.spec.phase?.() ?? this.step);
    if (phase !== this.shownPhase) {
      this.shownPhase = phase;
      upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
    }
    const wait = this.gate.current;
    setCurrentDetails(
      [
        this.spec.title(),
        ...(this.spec.details?.() ?? []),
        this.unavailable && `Waiting for ${this.unavailable}: retrying`,
        this.waitingForWindow && `Waiting for the maintenance window: ${this.waitingForWindow}`,
        wait &&
          `Waiting for an operator: ${wait.reason}\n\`steward decide ${workflowInfo().workflowId} ${wait.decisions?.join('|')}\``,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }

  /** Appends a line to the status's log, if it keeps one; `undefined`, a step's "done". */
  done(line: string): undefined {
    (this.status as { log?: string[] }).log?.push(line);
    return undefined;
  }

  /** Sleeps until the maintenance window is open, showing why meanwhile. */
  async untilWindowOpens(window: MaintenanceWindows | undefined): Promise<void> {
    await untilWindowOpens(window, (waiting) => {
      this.waitingForWindow = waiting;
      this.show();
    });
  }

  /** Runs the steps in order; the first one an operator skips or aborts ends the run. */
  async runSteps(steps: Step[]): Promise<{ end: StepEnd; step: string }> {
    for (const { name, run, options } of steps) {
      const end = await this.runStep(name, run, options);
      if (end !== 'done') return { end, step: name };
    }
    return { end: 'done', step: this.step };
  }

  /** Runs one step until it is done, or an operator skips or aborts it. */
  async runStep(name: string, run: StepRun, options: StepOptions = {}): Promise<StepEnd> {
    this.step = name;
    this.spec.onStep?.(name);
    const started = Date.now();
    for (;;) {
      this.show();
      let problem = await this.attempt(run, options.recheck);
      if (problem === undefined) {
        recordStepDuration(name, Date.now() - started);
        return 'done';
      }
      if (options.onProblem) problem += await options.onProblem(problem);
      const waiting = this.gate.wait(`${name}: ${problem}`, options.decisions);
      this.show();
      const request = await waiting;
      this.show();
      if (request.decision === 'skip' || request.decision === 'abort') return request.decision;
      await options.onRetry?.(request);
    }
  }

  /** One attempt: checks, then the step; an outage is waited out here, up to the bound. */
  private async attempt(run: StepRun, recheck?: StepRun): Promise<string | undefined> {
    const bound = (this.spec.outageBoundSeconds ?? DEFAULT_OUTAGE_BOUND_SECONDS) * 1000;
    let since: number | undefined;
    for (let tries = 0; ; tries++) {
      try {
        const problem = (await recheck?.()) ?? (await run());
        this.clearOutage();
        return problem;
      } catch (err) {
        const system = outageSystem(failureType(err));
        const problem = activityProblem(err);
        since ??= Date.now();
        if (system === undefined || Date.now() - since >= bound) {
          this.clearOutage();
          return system === undefined
            ? problem
            : `${system} unavailable for ${Math.round((Date.now() - since) / 1000)}s: ${problem}`;
        }
        this.unavailable = describeOutage(system, problem, since);
        this.show();
        await sleep(outageBackoffSeconds(tries) * 1000);
      }
    }
  }

  private clearOutage(): void {
    if (this.unavailable === undefined) return;
    this.unavailable = undefined;
    this.show();
  }
}

/** The type of an activity's failure, e.g. NetboxUnavailable. */
function failureType(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? undefined)
    : undefined;
}
