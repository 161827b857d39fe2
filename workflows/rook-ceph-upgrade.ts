// rookCephUpgrade: Rook's operator, then the Ceph image of one cluster, each rolled by Rook through
// every daemon group the cluster runs, behind Ceph health gates of consecutive passing reads.
// While Rook rolls, a problem stops its roll (the operator scaled to 0) before a person is asked;
// Rook goes on only once the gate passes again, and abort leaves it stopped.
import { sleep } from '@temporalio/workflow';
import {
  rookCephUpgradeStatusQuery,
  workflowIds,
  type RookCephUpgradeInput,
  type RookCephUpgradePhase,
  type RookCephUpgradeResult,
  type RookCephUpgradeStatus,
} from './api';
import { activityProblem, surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { heartbeating, storageCalls as act } from './operation/activity-profiles';
import { Operation, type Step } from './operation/operation';
import { bulletList } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import type { CephGateFailure } from './policy/ceph-health-gate';
import {
  describeTarget,
  describeTargets,
  GROUP_NAMES,
  groupDone,
  groupProgress,
  parseRookCephUpgradeInput,
  rookCephPlan,
  type DaemonGroup,
  type RollTarget,
  type RookCephPlan,
  type RookCephUpgradeRequest,
} from './policy/rook-upgrade';

/** Consecutive passing reads (two seconds apart) a gate needs. */
const GATE_PASSES = 3;

/** A wait that follows a roll may last as long as Rook goes on rolling; heartbeats tell a dead worker. */
const waits = heartbeating(24 * 60 * 60, 15);

const failureLines = (failures: CephGateFailure[]) =>
  failures.map((f) => `${f.check}: ${f.message}`);

export function rookCephUpgrade(rawInput: RookCephUpgradeInput): Promise<RookCephUpgradeResult> {
  return withClusterLease(async (lease) => {
    const input = parseRookCephUpgradeInput(rawInput);
    requireWorkflowId(
      workflowIds.rookUpgrade(input.cluster),
      'one storage upgrade runs per cluster',
      {
        schedules: true,
      },
    );
    return new RookCephUpgrade(input).run(lease);
  });
}

/** A step of the table, with the phase it shows and whether Rook rolls while it runs. */
interface RookStep extends Step {
  phase: RookCephUpgradePhase;
  rolling: boolean;
}

class RookCephUpgrade {
  private readonly status: RookCephUpgradeStatus;
  private readonly op: Operation<RookCephUpgradeStatus>;
  private readonly steps = new Map<string, RookStep>();
  /** The operator's replicas before Steward stopped it. */
  private resumeTo = 1;

  constructor(private readonly input: RookCephUpgradeRequest) {
    const { cluster } = input;
    const status: RookCephUpgradeStatus = {
      cluster,
      phase: 'validating',
      log: [],
      gates: [],
      failing: [],
      rookStopped: false,
      decisions: [],
    };
    this.status = status;
    const targets = describeTargets(input);
    this.op = new Operation(status, {
      kind: 'rook-upgrade',
      cluster,
      target: targets,
      query: rookCephUpgradeStatusQuery,
      title: () =>
        `**Rook/Ceph upgrade of ${cluster}** to ${targets}: ${status.phase}${status.current ? ` (${status.current})` : ''}`,
      details: () => [
        bulletList(status.log),
        status.failing.length > 0
          ? `Failing checks:\n${bulletList(failureLines(status.failing))}`
          : '',
      ],
      phase: () => status.phase,
      onStep: (name) => {
        status.phase = this.steps.get(name)?.phase ?? status.phase;
        status.current = name;
      },
    });
  }

  async run(lease: ClusterLease): Promise<RookCephUpgradeResult> {
    const { cluster } = this.input;
    this.op.show();
    const plan = rookCephPlan(
      this.input,
      await surfaceInvalidInput(act.readRookCluster({ cluster })),
    );
    await lease.take(cluster, 'rook-ceph-upgrade', []);
    this.status.rook = plan.rook;
    this.status.ceph = plan.ceph;
    // The checks above run at once; the upgrade, its first gate included, inside the window.
    await this.op.untilWindowOpens(this.input.window);
    for (const step of this.table(plan)) this.steps.set(step.name, step);
    const { end } = await this.op.runSteps([...this.steps.values()]);
    return end === 'done' ? this.upgraded(plan) : this.aborted();
  }

  /** The steps: gate before, Rook's operator and its roll, the Ceph image and its roll, gate after. */
  private table(plan: RookCephPlan): RookStep[] {
    const targets: RollTarget[] = [];
    const steps = [this.step('gate-before', 'gate before', false, () => this.gate('before'))];
    if (plan.rook) {
      const to = plan.rook.to;
      targets.push({ rook: to });
      steps.push(
        this.step('rook-operator', `Rook operator at ${to}`, true, () => this.upgradeOperator(to)),
        ...this.rollSteps(plan, 'rook-roll', { rook: to }),
      );
    }
    if (plan.ceph) {
      const image = plan.ceph.to;
      targets.push({ ceph: image });
      steps.push(
        this.step('ceph-image', `Ceph image ${image}`, false, () => this.setImage(image)),
        ...this.rollSteps(plan, 'ceph-roll', { ceph: image }),
      );
    }
    steps.push(this.step('gate-after', 'gate after', false, () => this.gateAfter(plan, targets)));
    return steps;
  }

  /**
   * A step whose problem, while Rook rolls, stops Rook's roll before a person is asked; and
   * whose every attempt after a stop first waits for the gate, then lets Rook go on.
   */
  private step(
    phase: RookCephUpgradePhase,
    name: string,
    rolling: boolean,
    run: () => Promise<string | undefined>,
  ): RookStep {
    return {
      name,
      phase,
      rolling,
      run,
      options: {
        decisions: ['retry', 'abort'],
        recheck: () => this.resumeRook(),
        onProblem: () => this.stopRook(rolling),
      },
    };
  }

  private rollSteps(plan: RookCephPlan, phase: RookCephUpgradePhase, target: RollTarget) {
    return plan.groups.map(({ group }) => {
      const name = `${GROUP_NAMES[group]} at ${describeTarget(target)}`;
      return this.step(phase, name, true, () => this.rollGroup(name, group, target));
    });
  }

  /** onProblem: stops Rook's roll (once) while it rolls; says whether Rook is stopped. */
  private async stopRook(rolling: boolean): Promise<string> {
    let failed = '';
    if (rolling && !this.status.rookStopped) {
      try {
        const scaled = await act.scaleRookOperator({ cluster: this.input.cluster, replicas: 0 });
        this.resumeTo = Math.max(scaled.from, 1);
        this.status.rookStopped = true;
      } catch (err) {
        failed = `; Rook's roll could not be stopped: ${activityProblem(err)}`;
      }
    }
    return this.status.rookStopped
      ? `${failed}; Rook's roll is stopped (its operator scaled to 0) until you decide`
      : failed;
  }

  /** recheck: after a stop, Rook goes on only once the gate passes; until then, no step acts. */
  private async resumeRook(): Promise<string | undefined> {
    if (!this.status.rookStopped) return undefined;
    const problem = await this.gate("before Rook's roll goes on");
    if (problem !== undefined) return problem;
    await act.scaleRookOperator({ cluster: this.input.cluster, replicas: this.resumeTo });
    this.status.rookStopped = false;
    this.op.done(`Rook's operator scaled back to ${this.resumeTo}: its roll goes on`);
    this.op.show();
    return undefined;
  }

  private deadline = () => Date.now() + this.input.gateTimeoutSeconds * 1000;

  private within = (target?: RollTarget) =>
    `within ${this.input.gateTimeoutSeconds}s${target ? " of Rook's last restart" : ''}`;

  /**
   * The health gate: consecutive passing reads before `until` (or, during a roll to `target`,
   * until Rook has rolled no daemon for the gate timeout), after the pause if in a roll.
   */
  private async gate(
    name: string,
    until = this.deadline(),
    target?: RollTarget,
  ): Promise<string | undefined> {
    const { cluster, pauseSeconds, gateTimeoutSeconds } = this.input;
    if (target && pauseSeconds > 0) await sleep(pauseSeconds * 1000);
    const { reached, last } = await waits.awaitCephGate({
      cluster,
      passes: GATE_PASSES,
      deadlineMs: until,
      roll: target && { target, timeoutMs: gateTimeoutSeconds * 1000 },
    });
    if (!reached) {
      this.status.failing = last.last.verdict.failures;
      return `the health gate did not pass ${this.within(target)}: ${failureLines(this.status.failing).join('; ')}`;
    }
    this.status.failing = [];
    this.status.gates.push({
      gate: name,
      firstPassAt: last.firstPassAt ?? last.last.at,
      passedAt: last.last.at,
      reads: last.passes,
      summary: last.last.summary,
    });
    return this.op.done(
      `gate ${name} passed (${last.passes} reads in a row): ${last.last.summary}`,
    );
  }

  private async upgradeOperator(to: string): Promise<string | undefined> {
    const { cluster, gateTimeoutSeconds } = this.input;
    const until = this.deadline();
    const upgraded = await act.upgradeRookOperator({ cluster, version: to });
    const rollout = await waits.awaitRookOperator({ cluster, version: to, deadlineMs: until });
    if (!rollout.reached) {
      const o = rollout.last;
      return `the operator did not roll out at ${to} within ${gateTimeoutSeconds}s (image ${o.image ?? 'none'}, ${o.rolledOut ? 'rolled out' : 'rollout not finished'})`;
    }
    return this.op.done(
      upgraded.changed
        ? `helm upgraded Rook's operator ${upgraded.from} → ${upgraded.to}; it rolled out`
        : `Rook's operator already at ${upgraded.to}`,
    );
  }

  private async setImage(image: string): Promise<string | undefined> {
    const set = await act.setCephImage({ cluster: this.input.cluster, image });
    return this.op.done(
      set.changed
        ? `CephCluster image ${set.from} → ${image}`
        : `CephCluster image already ${image}`,
    );
  }

  /** Rook's roll of one daemon group to `target`, then the gate after it. */
  private async rollGroup(
    name: string,
    group: DaemonGroup,
    target: RollTarget,
  ): Promise<string | undefined> {
    const until = this.deadline();
    const { reached, last } = await waits.awaitRookGroup({
      cluster: this.input.cluster,
      group,
      target,
      deadlineMs: until,
      rollTimeoutMs: this.input.gateTimeoutSeconds * 1000,
    });
    if (!reached) {
      this.status.failing = last.ceph?.verdict.failures ?? [];
      return [
        `not every daemon rolled ${this.within(target)}: ${last.pending.join('; ')}`,
        last.rookMessage && `Rook says: ${last.rookMessage}`,
        this.status.failing.length > 0 && `Ceph: ${failureLines(this.status.failing).join('; ')}`,
      ]
        .filter(Boolean)
        .join('; ');
    }
    this.op.done(`${name}: ${last.rolled.join(', ')} rolled`);
    return this.gate(`after the ${name}`, until, target);
  }

  /** Every daemon still at every target, then the last gate. */
  private async gateAfter(plan: RookCephPlan, targets: RollTarget[]) {
    const { daemons } = await act.readRookCluster({ cluster: this.input.cluster });
    const behind = targets.flatMap((target) =>
      plan.groups
        .map(({ group }) => groupProgress(daemons, group, target))
        .filter((p) => !groupDone(p))
        .flatMap((p) => p.pending),
    );
    if (behind.length > 0) return `daemons not at the target any more: ${behind.join('; ')}`;
    return this.gate('after');
  }

  private upgraded(plan: RookCephPlan): RookCephUpgradeResult {
    this.status.phase = 'done';
    this.status.current = undefined;
    this.op.show();
    const changes = [plan.rook, plan.ceph]
      .filter((c) => c !== undefined)
      .map((c) => (c.noop ? `${c.to} (already)` : `${c.from} → ${c.to}`));
    return {
      ...this.op.snapshot(),
      outcome: 'upgraded',
      message: `${this.input.cluster} upgraded: ${changes.join(', ')}; every daemon rolled, ${this.status.gates.length} health gates passed`,
    };
  }

  private aborted(): RookCephUpgradeResult {
    const at = this.status.current;
    this.status.phase = 'aborted';
    this.op.show();
    return {
      ...this.op.snapshot(),
      outcome: 'aborted',
      message: `upgrade of ${this.input.cluster} aborted by an operator at ${at}; ${
        this.status.rookStopped
          ? "Rook's operator is left scaled to 0, so its roll stays stopped: scale it back to 1 to let Rook go on"
          : 'Rook was not stopped'
      }`,
    };
  }
}
