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

export interface WaitResult<T> {
  /** False when the deadline passed first. */
  reached: boolean;
  last: T;
}

async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs: number,
): Promise<WaitResult<T>> {
  const ctx = Context.current();
  for (;;) {
    const last = await read();
    if (done(last)) return { reached: true, last };
    if (Date.now() >= deadlineMs) return { reached: false, last };
    ctx.heartbeat();
    await ctx.sleep(READ_INTERVAL_MS);
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
