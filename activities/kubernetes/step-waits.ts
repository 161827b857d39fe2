// Waits of a node's upgrade steps, each inside one heartbeating activity. Given a change feed (a
// watch of what the wait reads) it reads again as soon as that changes, and otherwise every 2 s;
// without one, or once a watch has ended, four times a second. The workflow's own polling with
// durable timers noticed every change up to its poll interval late, on the critical path of every
// node. The deadline is absolute (from the workflow), so a retry after a worker crash waits no
// longer than the first attempt would have.
import { Context } from '@temporalio/activity';
import { gpusBack } from '../../workflows/policy/gpus-back';
import {
  sleepOrChange,
  withChanges,
  type ChangeFeed,
  type WatchChanges,
  type WatchedObjects,
} from './change-feed';
import type { DevicePluginSelector, GpuFacts } from './device-plugin';
import type { NodeFacts } from './nodes';
import { UPGRADE_NAMESPACE, type JobState } from './upgrade-jobs';

const READ_INTERVAL_MS = 250;
/**
 * With a live watch, reads only this often besides each change: a safety net, and what keeps the
 * apiserver's load low while a thousand-node cluster has many nodes in flight.
 */
const WATCHED_READ_INTERVAL_MS = 2_000;
const HEARTBEAT_MS = 2_000;

export interface WaitResult<T> {
  /** False when the deadline passed first. */
  reached: boolean;
  last: T;
}

export interface ReadOptions {
  intervalMs?: number;
  /** What a retry of the activity (after a worker crash) reads back as its heartbeat details. */
  details?: () => unknown;
  /** Wakes the wait when what it reads changes. */
  changes?: ChangeFeed;
}

/**
 * Reads until `done` or the deadline (which may move, e.g. while a roll makes progress), every
 * `intervalMs`. It heartbeats on a timer too, so a read that takes long (a Ceph command while the
 * mgr restarts) does not look like a dead worker.
 */
export async function readUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs: number | (() => number),
  { intervalMs = READ_INTERVAL_MS, details = () => undefined, changes }: ReadOptions = {},
): Promise<WaitResult<T>> {
  const ctx = Context.current();
  const deadline = typeof deadlineMs === 'number' ? () => deadlineMs : deadlineMs;
  const beat = setInterval(() => ctx.heartbeat(details()), HEARTBEAT_MS);
  try {
    for (;;) {
      const last = await read();
      if (done(last)) return { reached: true, last };
      if (Date.now() >= deadline()) return { reached: false, last };
      ctx.heartbeat(details());
      await sleepOrChange(changes?.live ? WATCHED_READ_INTERVAL_MS : intervalMs, changes);
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

/** The upgrade Job and its pod, which succeeds (what upgradeJobState counts) a second before it. */
export const upgradeJobObjects = (name: string): WatchedObjects[] => [
  {
    path: `/apis/batch/v1/namespaces/${UPGRADE_NAMESPACE}/jobs`,
    fieldSelector: `metadata.name=${name}`,
  },
  {
    path: `/api/v1/namespaces/${UPGRADE_NAMESPACE}/pods`,
    labelSelector: `batch.kubernetes.io/job-name=${name}`,
  },
];

export const nodeObjects = (node: string): WatchedObjects => ({
  path: '/api/v1/nodes',
  fieldSelector: `metadata.name=${node}`,
});

export function stepWaitActivities(reads: StepReads, watchChanges?: WatchChanges) {
  const watching = <T>(
    cluster: string,
    objects: WatchedObjects[],
    wait: (changes?: ChangeFeed) => Promise<T>,
  ) => withChanges(watchChanges, cluster, objects, wait);

  return {
    awaitUpgradeJob(a: {
      cluster: string;
      name: string;
      deadlineMs: number;
    }): Promise<WaitResult<JobState>> {
      return watching(a.cluster, upgradeJobObjects(a.name), (changes) =>
        readUntil(
          () => reads.upgradeJobState(a),
          (s) => s.state !== 'running',
          a.deadlineMs,
          { changes },
        ),
      );
    },

    awaitNodeReady(a: {
      cluster: string;
      node: string;
      version: string;
      deadlineMs: number;
    }): Promise<WaitResult<NodeFacts>> {
      return watching(a.cluster, [nodeObjects(a.node)], (changes) =>
        readUntil(
          () => reads.describeNode(a),
          (n) => n.ready && n.kubeletVersion === a.version,
          a.deadlineMs,
          { changes },
        ),
      );
    },

    /** A reinstalled or rebooted node back: a boot ID other than `bootId`, and Ready. */
    awaitNodeRejoined(a: {
      cluster: string;
      node: string;
      bootId: string;
      deadlineMs: number;
    }): Promise<WaitResult<NodeFacts>> {
      return watching(a.cluster, [nodeObjects(a.node)], (changes) =>
        readUntil(
          () => reads.describeNode(a),
          (n) => n.ready && n.bootId !== a.bootId,
          a.deadlineMs,
          { changes },
        ),
      );
    },

    awaitGpusBack(
      a: DevicePluginSelector & { replaced: string[]; deadlineMs: number },
    ): Promise<WaitResult<GpuFacts>> {
      const plugins = {
        path: `/api/v1/namespaces/${a.namespace}/pods`,
        labelSelector: a.labelSelector,
        fieldSelector: `spec.nodeName=${a.node}`,
      };
      return watching(a.cluster, [nodeObjects(a.node), plugins], (changes) =>
        readUntil(
          () => reads.gpuFacts(a),
          (f) => gpusBack(f, a.replaced),
          a.deadlineMs,
          { changes },
        ),
      );
    },
  };
}
