// The waits of a Rook/Ceph upgrade, each one heartbeating activity against an absolute deadline
// from the workflow (a retry after a worker crash waits no longer than the first attempt would
// have): the operator's rollout, a daemon group at its target, and the health gate's consecutive
// passing reads (Ceph says HEALTH_OK while PGs still peer, so one passing read proves little).
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_INPUT } from '../../workflows/api';
import type { CephGateVerdict, CephHealthFacts } from '../../workflows/policy/ceph-health-gate';
import { cephHealthGate, describeCephHealth } from '../../workflows/policy/ceph-health-gate';
import {
  groupDone,
  groupProgress,
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
    }): Promise<WaitResult<GroupWait>> {
      const result = await readUntil(
        async (): Promise<GroupWait> => {
          const facts = await reads.readRookCluster(a);
          return {
            ...groupProgress(facts.daemons, a.group, a.target),
            rookMessage: facts.cephCluster.message,
          };
        },
        groupDone,
        a.deadlineMs,
      );
      if (result.reached) return result;
      return { ...result, last: { ...result.last, ceph: await readGate(a.cluster) } };
    },

    /** The health gate passing `passes` reads in a row, two seconds apart. */
    async awaitCephGate(a: {
      cluster: string;
      passes: number;
      deadlineMs: number;
      intervalMs?: number;
    }): Promise<WaitResult<GateWait>> {
      let passes = 0;
      let firstPassAt: string | undefined;
      const result = await readUntil(
        () => readGate(a.cluster),
        (r) => {
          passes = r.verdict.pass ? passes + 1 : 0;
          if (passes === 1) firstPassAt = r.at;
          return passes >= a.passes;
        },
        a.deadlineMs,
        a.intervalMs ?? GATE_READ_INTERVAL_MS,
      );
      return {
        reached: result.reached,
        last: { last: result.last, passes, firstPassAt: passes > 0 ? firstPassAt : undefined },
      };
    },
  };
}
