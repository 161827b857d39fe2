// The waits of a Rook/Ceph upgrade, each one heartbeating activity against an absolute deadline
// from the workflow (a retry after a worker crash waits no longer than the first attempt would
// have): the operator's rollout, a daemon group at its target, and the health gate's consecutive
// passing reads (Ceph says HEALTH_OK while PGs still peer, so one passing read proves little).
// During a roll Rook goes on through the later groups by itself, and the cluster is unhealthy
// while it does; so there the deadline moves with Rook's progress: a wait ends unreached only once
// Rook has rolled no daemon for the roll's timeout (kept in the heartbeat details across retries).
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_INPUT } from '../../workflows/api';
import type { CephGateVerdict, CephHealthFacts } from '../../workflows/policy/ceph-health-gate';
import { cephHealthGate, describeCephHealth } from '../../workflows/policy/ceph-health-gate';
import {
  groupDone,
  groupProgress,
  rolledCount,
  type DaemonGroup,
  type GroupProgress,
  type RollTarget,
} from '../../workflows/policy/rook-upgrade';
import { readUntil, type WaitResult } from '../kubernetes/step-waits';
import type { RookClusterFacts } from './rook';

/** The reads the waits repeat: the activities of the same names. */
export interface RookReads {
  readRookCluster(a: { cluster: string }): Promise<RookClusterFacts>;
  cephHealthFacts(a: { cluster: string }): Promise<CephHealthFacts>;
}

/** A roll the wait follows: its deadline is at least `timeoutMs` after Rook last rolled a daemon. */
export interface RollFollowed {
  target: RollTarget;
  timeoutMs: number;
}

export interface GateReading {
  verdict: CephGateVerdict;
  summary: string;
  at: string;
}

export interface GateWait {
  last: GateReading;
  /** Consecutive passing reads at the end, and when the first of them was made. */
  passes: number;
  firstPassAt?: string;
}

export interface GroupWait extends GroupProgress {
  /** Rook's own words on its roll (the CephCluster's status.message). */
  rookMessage?: string;
  /** Ceph's state when the deadline passed first, so the operator sees why the roll stalls. */
  ceph?: GateReading;
}

// Each read runs four ceph commands (a Python process each): every two seconds is frugal enough.
const GATE_READ_INTERVAL_MS = 2_000;

/** Rook's last progress on a roll: how many daemons were at the target, and since when. */
interface Progress {
  rolled: number;
  at: number;
}

/** The deadline of a wait: fixed, or moving with Rook's progress on the roll it follows. */
function deadlineOf(deadlineMs: number, roll: RollFollowed | undefined) {
  const resumed = Context.current().info.heartbeatDetails as Progress | undefined;
  let progress: Progress = resumed ?? { rolled: -1, at: Date.now() };
  return {
    /** Notes what the roll shows now. */
    saw(facts: RookClusterFacts): void {
      if (!roll) return;
      const rolled = rolledCount(facts.daemons, roll.target);
      if (rolled > progress.rolled) progress = { rolled, at: Date.now() };
    },
    deadline: () => (roll ? Math.max(deadlineMs, progress.at + roll.timeoutMs) : deadlineMs),
    details: () => progress,
  };
}

export function rookWaitActivities(reads: RookReads) {
  /** One gate read; a Ceph that does not answer is a failing read, not a failed activity. */
  const readGate = async (cluster: string): Promise<GateReading> => {
    const at = new Date().toISOString();
    try {
      const facts = await reads.cephHealthFacts({ cluster });
      return { verdict: cephHealthGate(facts), summary: describeCephHealth(facts), at };
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type === INVALID_INPUT) throw err;
      const message = `could not read Ceph: ${err instanceof Error ? err.message : String(err)}`;
      return {
        verdict: { pass: false, failures: [{ check: 'health', message }], allowed: [] },
        summary: message,
        at,
      };
    }
  };

  return {
    /** Rook's operator Deployment rolled out with the image of `version`. */
    awaitRookOperator(a: {
      cluster: string;
      version: string;
      deadlineMs: number;
    }): Promise<WaitResult<RookClusterFacts['operator']>> {
      return readUntil(
        async () => (await reads.readRookCluster(a)).operator,
        (o) => o.version === a.version && o.rolledOut,
        a.deadlineMs,
      );
    },

    /** Every daemon of `group` rolled to `target`, as its Deployment shows it. */
    async awaitRookGroup(a: {
      cluster: string;
      group: DaemonGroup;
      target: RollTarget;
      deadlineMs: number;
      /** The roll's timeout without progress; default: none beyond the deadline. */
      rollTimeoutMs?: number;
    }): Promise<WaitResult<GroupWait>> {
      const roll = a.rollTimeoutMs ? { target: a.target, timeoutMs: a.rollTimeoutMs } : undefined;
      const until = deadlineOf(a.deadlineMs, roll);
      const result = await readUntil(
        async (): Promise<GroupWait> => {
          const facts = await reads.readRookCluster(a);
          until.saw(facts);
          return {
            ...groupProgress(facts.daemons, a.group, a.target),
            rookMessage: facts.cephCluster.message,
          };
        },
        groupDone,
        until.deadline,
        { details: until.details },
      );
      if (result.reached) return result;
      return { ...result, last: { ...result.last, ceph: await readGate(a.cluster) } };
    },

    /** The health gate passing `passes` reads in a row, two seconds apart. */
    async awaitCephGate(a: {
      cluster: string;
      passes: number;
      deadlineMs: number;
      /** While Rook rolls to this target, the deadline moves with its progress. */
      roll?: RollFollowed;
      intervalMs?: number;
    }): Promise<WaitResult<GateWait>> {
      const until = deadlineOf(a.deadlineMs, a.roll);
      let passes = 0;
      let firstPassAt: string | undefined;
      const result = await readUntil(
        async () => {
          if (a.roll) until.saw(await reads.readRookCluster(a));
          return readGate(a.cluster);
        },
        (r) => {
          passes = r.verdict.pass ? passes + 1 : 0;
          if (passes === 1) firstPassAt = r.at;
          return passes >= a.passes;
        },
        until.deadline,
        { intervalMs: a.intervalMs ?? GATE_READ_INTERVAL_MS, details: until.details },
      );
      return {
        reached: result.reached,
        last: { last: result.last, passes, firstPassAt: passes > 0 ? firstPassAt : undefined },
      };
    },
  };
}
