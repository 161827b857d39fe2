// rookCephUpgrade: Rook's operator and then the Ceph image of one cluster, behind Ceph health
// gates. Gate before → helm upgrade of the operator → its rollout → Rook re-rolls every daemon
// (mons, mgr, OSDs) at the new rook-version, a gate after each group → the CephCluster's image →
// Rook rolls every daemon again, a gate after each group → gate after. Rook rolls the groups by
// itself, so a gate cannot hold the next group; it watches, and when the cluster does not pass in
// time it stops Rook's roll (the operator scaled to 0) and waits for an operator: retry lets Rook
// go on, abort leaves it stopped. A gate passes only on consecutive passing reads.
import { heartbeating, storageCalls as act } from './operation/activity-profiles';
import { ActivityFailure, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  invalidInput,
  isRunOf,
  rookCephUpgradeStatusQuery,
  workflowIds,
  type RookCephUpgradeInput,
  type RookCephUpgradePhase,
  type RookCephUpgradeResult,
  type RookCephUpgradeStatus,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import { withClusterLease, type ClusterLease } from './cluster-lease';
import { OperatorGate } from './operation/operator-gate';
import type { CephGateFailure } from './policy/ceph-health-gate';
import {
  DAEMON_GROUPS,
  describeTarget,
  describeTargets,
  GROUP_NAMES,
  groupDone,
  groupProgress,
  parseRookCephUpgradeInput,
  rookCephPlan,
  type DaemonGroup,
  type RollTarget,
} from './policy/rook-upgrade';
import { announce, bulletList, showPhase } from './operation/visibility';
import { untilWindowOpens } from './window-wait';

/** Consecutive passing reads (two seconds apart) a gate needs. */
const GATE_PASSES = 3;

const failureLines = (failures: CephGateFailure[]) =>
  failures.map((f) => `${f.check}: ${f.message}`);

export function rookCephUpgrade(rawInput: RookCephUpgradeInput): Promise<RookCephUpgradeResult> {
  return withClusterLease((lease) => upgradeRookCeph(rawInput, lease));
}

async function upgradeRookCeph(
  rawInput: RookCephUpgradeInput,
  lease: ClusterLease,
): Promise<RookCephUpgradeResult> {
  const input = parseRookCephUpgradeInput(rawInput);
  const { cluster } = input;
  const workflowId = workflowIds.rookUpgrade(cluster);
  if (!isRunOf(workflowInfo().workflowId, workflowId)) {
    throw invalidInput(
      'workflowId',
      `must be "${workflowId}" (or a Schedule's run of it) so that one storage upgrade runs per cluster`,
    );
  }
  // A wait that follows a roll may last as long as Rook goes on rolling; the heartbeat tells a
  // dead worker.
  const waits = heartbeating(24 * 60 * 60, 15);

  const gate = new OperatorGate();
  const status: RookCephUpgradeStatus = {
    cluster,
    phase: 'validating',
    log: [],
    gates: [],
    failing: [],
    rookStopped: false,
    decisions: gate.decisions,
  };
  const snapshot = (): RookCephUpgradeStatus => ({ ...status, waitingReason: gate.reason });
  setHandler(rookCephUpgradeStatusQuery, snapshot);
  const targets = describeTargets(input);
  announce('rook-upgrade', cluster, targets);
  const show = () =>
    showPhase(
      gate.reason
        ? 'waiting-for-operator'
        : status.waitingForWindow
          ? 'waiting-for-window'
          : status.phase,
      [
        `**Rook/Ceph upgrade of ${cluster}** to ${targets}: ${status.phase}${status.current ? ` (${status.current})` : ''}`,
        bulletList(status.log),
        status.waitingForWindow
          ? `Waiting for the maintenance window: ${status.waitingForWindow}`
          : '',
        status.failing.length > 0
          ? `Failing checks:\n${bulletList(failureLines(status.failing))}`
          : '',
        gate.reason
          ? `Waiting for an operator: ${gate.reason}\n\`steward decide ${workflowInfo().workflowId} retry|abort\``
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  show();

  const plan = rookCephPlan(input, await surfaceInvalidInput(act.readRookCluster({ cluster })));
  await lease.take(cluster, 'rook-ceph-upgrade', []);
  status.rook = plan.rook;
  status.ceph = plan.ceph;
  const deadline = () => Date.now() + input.gateTimeoutSeconds * 1000;
  const done = (line: string) => {
    status.log.push(line);
    return undefined;
  };

  /**
   * Runs a stage until it reports no problem, asking an operator after each; false when aborted.
   * While Rook rolls (`rolling`), a problem stops its roll until the operator decides.
   */
  async function stage(
    phase: RookCephUpgradePhase,
    current: string,
    rolling: boolean,
    run: () => Promise<string | undefined>,
  ): Promise<boolean> {
    status.phase = phase;
    status.current = current;
    let resumeTo = 1;
    for (;;) {
      show();
      let problem: string | undefined;
      try {
        if (status.rookStopped) {
          await act.scaleRookOperator({ cluster, replicas: resumeTo });
          status.rookStopped = false;
          done(`Rook's operator scaled back to ${resumeTo}: its roll goes on`);
          show();
        }
        problem = await run();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        problem = err.cause?.message ?? err.message;
      }
      if (problem === undefined) {
        status.failing = [];
        return true;
      }
      if (rolling && !status.rookStopped) {
        try {
          const scaled = await act.scaleRookOperator({ cluster, replicas: 0 });
          resumeTo = Math.max(scaled.from, 1);
          status.rookStopped = true;
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          problem += `; Rook's roll could not be stopped: ${err.cause?.message ?? err.message}`;
        }
      }
      const stopped = status.rookStopped
        ? "; Rook's roll is stopped (its operator scaled to 0) until you decide"
        : '';
      const waiting = gate.wait(`${current}: ${problem}${stopped}`, ['retry', 'abort']);
      show();
      const { decision } = await waiting;
      if (decision === 'abort') return false;
    }
  }

  const timeoutMs = input.gateTimeoutSeconds * 1000;
  const within = (target?: RollTarget) =>
    `within ${input.gateTimeoutSeconds}s${target ? " of Rook's last restart" : ''}`;

  /**
   * The health gate: consecutive passing reads before `until` (or, during a roll to `target`,
   * until Rook has rolled no daemon for the gate timeout), after the pause if in a roll.
   */
  async function passGate(
    name: string,
    until: number,
    target?: RollTarget,
  ): Promise<string | undefined> {
    if (target && input.pauseSeconds > 0) await sleep(input.pauseSeconds * 1000);
    const { reached, last } = await waits.awaitCephGate({
      cluster,
      passes: GATE_PASSES,
      deadlineMs: until,
      roll: target && { target, timeoutMs },
    });
    if (!reached) {
      status.failing = last.last.verdict.failures;
      return `the health gate did not pass ${within(target)}: ${failureLines(status.failing).join('; ')}`;
    }
    status.gates.push({
      gate: name,
      firstPassAt: last.firstPassAt ?? last.last.at,
      passedAt: last.last.at,
      reads: last.passes,
      summary: last.last.summary,
    });
    return done(`gate ${name} passed (${last.passes} reads in a row): ${last.last.summary}`);
  }

  /** Rook's roll of one daemon group to `target`, then the gate after it. */
  function rollGroup(
    phase: RookCephUpgradePhase,
    group: DaemonGroup,
    target: RollTarget,
  ): Promise<boolean> {
    const name = `${GROUP_NAMES[group]} at ${describeTarget(target)}`;
    return stage(phase, name, true, async () => {
      const until = deadline();
      const { reached, last } = await waits.awaitRookGroup({
        cluster,
        group,
        target,
        deadlineMs: until,
        rollTimeoutMs: timeoutMs,
      });
      if (!reached) {
        status.failing = last.ceph?.verdict.failures ?? [];
        return [
          `not every daemon rolled ${within(target)}: ${last.pending.join('; ')}`,
          last.rookMessage && `Rook says: ${last.rookMessage}`,
          status.failing.length > 0 && `Ceph: ${failureLines(status.failing).join('; ')}`,
        ]
          .filter(Boolean)
          .join('; ');
      }
      done(`${name}: ${last.rolled.join(', ')} rolled`);
      return passGate(`after the ${name}`, until, target);
    });
  }

  const aborted = (): RookCephUpgradeResult => {
    const at = status.current;
    status.phase = 'aborted';
    show();
    return {
      ...snapshot(),
      outcome: 'aborted',
      message: `upgrade of ${cluster} aborted by an operator at ${at}; ${
        status.rookStopped
          ? "Rook's operator is left scaled to 0, so its roll stays stopped: scale it back to 1 to let Rook go on"
          : 'Rook was not stopped'
      }`,
    };
  };

  // The checks above run at once; the upgrade, its first gate included, inside the window.
  await untilWindowOpens(input.window, (waiting) => {
    status.waitingForWindow = waiting;
    show();
  });
  if (!(await stage('gate-before', 'gate before', false, () => passGate('before', deadline())))) {
    return aborted();
  }

  const rollTargets: RollTarget[] = [];
  if (plan.rook) {
    const to = plan.rook.to;
    const operatorUp = await stage('rook-operator', `Rook operator at ${to}`, false, async () => {
      const until = deadline();
      const upgraded = await act.upgradeRookOperator({ cluster, version: to });
      const rollout = await waits.awaitRookOperator({ cluster, version: to, deadlineMs: until });
      if (!rollout.reached) {
        const o = rollout.last;
        return `the operator did not roll out at ${to} within ${input.gateTimeoutSeconds}s (image ${o.image ?? 'none'}, ${o.rolledOut ? 'rolled out' : 'rollout not finished'})`;
      }
      return done(
        upgraded.changed
          ? `helm upgraded Rook's operator ${upgraded.from} → ${upgraded.to}; it rolled out`
          : `Rook's operator already at ${upgraded.to}`,
      );
    });
    if (!operatorUp) return aborted();
    rollTargets.push({ rook: to });
    for (const group of DAEMON_GROUPS) {
      if (!(await rollGroup('rook-roll', group, { rook: to }))) return aborted();
    }
  }
  if (plan.ceph) {
    const image = plan.ceph.to;
    const imageSet = await stage('ceph-image', `Ceph image ${image}`, false, async () => {
      const set = await act.setCephImage({ cluster, image });
      return done(
        set.changed
          ? `CephCluster image ${set.from} → ${image}`
          : `CephCluster image already ${image}`,
      );
    });
    if (!imageSet) return aborted();
    rollTargets.push({ ceph: image });
    for (const group of DAEMON_GROUPS) {
      if (!(await rollGroup('ceph-roll', group, { ceph: image }))) return aborted();
    }
  }

  const after = await stage('gate-after', 'gate after', false, async () => {
    const { daemons } = await act.readRookCluster({ cluster });
    const behind = rollTargets.flatMap((target) =>
      DAEMON_GROUPS.map((g) => groupProgress(daemons, g, target))
        .filter((p) => !groupDone(p))
        .flatMap((p) => p.pending),
    );
    if (behind.length > 0) return `daemons not at the target any more: ${behind.join('; ')}`;
    return passGate('after', deadline());
  });
  if (!after) return aborted();

  status.phase = 'done';
  status.current = undefined;
  show();
  const changes = [plan.rook, plan.ceph]
    .filter((c) => c !== undefined)
    .map((c) => (c.noop ? `${c.to} (already)` : `${c.from} → ${c.to}`));
  return {
    ...snapshot(),
    outcome: 'upgraded',
    message: `${cluster} upgraded: ${changes.join(', ')}; every daemon rolled, ${status.gates.length} health gates passed`,
  };
}
