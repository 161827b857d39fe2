// Waits of a node's upgrade steps, each inside one heartbeating activity that re-reads four times
// a second: the workflow's own polling with durable timers noticed every change up to its poll
// interval late, on the critical path of every node. The deadline is absolute (from the workflow),
// so a retry after a worker crash waits no longer than the first attempt would have.
import { Context } from '@temporalio/activity';
import { gpusBack } from '../../workflows/policy/gpus-back';
import type { DevicePluginSelector, GpuFacts } from './device-plugin';
import type { NodeFacts } from './nodes';
import type { JobState } from './upgrade-jobs';

const READ_INTERVAL_MS = 250;
const HEARTBEAT_MS = 2_000;

export interface WaitResult<T> {
  /** False when the deadline passed first. */
  reached: boolean;
  last: T;
}

/**
 * Reads until `done` or the deadline, every `intervalMs`. It heartbeats on a timer too, so a read
 * that takes long (a Ceph command while the mgr restarts) does not look like a dead worker.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs: number,
  intervalMs = READ_INTERVAL_MS,
): Promise<WaitResult<T>> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
  try {
    for (;;) {
      const last = await read();
      if (done(last)) return { reached: true, last };
      if (Date.now() >= deadlineMs) return { reached: false, last };
      ctx.heartbeat();
      await ctx.sleep(intervalMs);
    }
  } finally {
    clearInterval(beat);
  }
}

/** The reads the waits repeat: the activities of the same names. */
export interface StepReads {
  upgradeJobState(a: { cluster: string; name: string }): Promise<JobState>;
  describeNode(a: { cluster: string; node: string }): Promise<NodeFacts>;
  gpuFacts(s: DevicePluginSelector): Promise<GpuFacts>;
}

export function stepWaitActivities(reads: StepReads) {
  return {
    awaitUpgradeJob(a: {
      cluster: string;
      name: string;
      deadlineMs: number;
    }): Promise<WaitResult<JobState>> {
      return readUntil(
        () => reads.upgradeJobState(a),
        (s) => s.state !== 'running',
        a.deadlineMs,
      );
    },

    awaitNodeReady(a: {
      cluster: string;
      node: string;
      version: string;
      deadlineMs: number;
    }): Promise<WaitResult<NodeFacts>> {
      return readUntil(
        () => reads.describeNode(a),
        (n) => n.ready && n.kubeletVersion === a.version,
        a.deadlineMs,
      );
    },

    /** A reinstalled or rebooted node back: a boot ID other than `bootId`, and Ready. */
    awaitNodeRejoined(a: {
      cluster: string;
      node: string;
      bootId: string;
      deadlineMs: number;
    }): Promise<WaitResult<NodeFacts>> {
      return readUntil(
        () => reads.describeNode(a),
        (n) => n.ready && n.bootId !== a.bootId,
        a.deadlineMs,
      );
    },

    awaitGpusBack(
      a: DevicePluginSelector & { replaced: string[]; deadlineMs: number },
    ): Promise<WaitResult<GpuFacts>> {
      return readUntil(
        () => reads.gpuFacts(a),
        (f) => gpusBack(f, a.replaced),
        a.deadlineMs,
      );
    },
  };
}
