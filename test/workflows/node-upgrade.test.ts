import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  DEFAULT_DEVICE_PLUGIN,
  LEASE_REFUSED,
  clusterLeasesQuery,
  decideUpdate,
  upgradeNodeStatusQuery,
  workflowIds,
  type UpgradeNodeInput,
} from '../../workflows/api';
import type { drainNode, upgradeNode } from '../../workflows';
import { FakeCluster, pod } from '../support/fake-cluster';
import { endGuard, guardActivities } from '../support/guard';
import { recordHistory } from '../support/histories';
import { useTestServer, workflowBundle } from '../support/temporal';

const testEnv = useTestServer();
let queue = 0;

const input = (f: Partial<UpgradeNodeInput> = {}): UpgradeNodeInput => ({
  cluster: 'lab',
  node: 'w1',
  version: 'v1.32.13',
  kubeadm: 'node',
  image: 'debian:bookworm-slim',
  drainTimeoutSeconds: 30,
  pauseSeconds: 1,
  stepTimeoutSeconds: 30,
  devicePlugin: DEFAULT_DEVICE_PLUGIN,
  ...f,
});

/** `beforeStart` runs on the worker's task queue before the node's upgrade starts. */
async function run<T>(
  cluster: FakeCluster,
  body: (h: WorkflowHandle<typeof upgradeNode>) => Promise<T>,
  i = input(),
  beforeStart?: (taskQueue: string) => Promise<void>,
): Promise<T> {
  const taskQueue = `upgrade-node-${++queue}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...cluster.activities(),
      ...cluster.upgradeActivities(),
      ...guardActivities(testEnv),
    },
  });
  return worker
    .runUntil(async () => {
      await beforeStart?.(taskQueue);
      const handle = await testEnv().client.workflow.start<typeof upgradeNode>('upgradeNode', {
        taskQueue,
        workflowId: workflowIds.upgradeNode(i.cluster, i.node, i.version),
        args: [i],
      });
      return body(handle);
    })
    .finally(() => endGuard(testEnv, i.cluster));
}

async function untilWaiting(handle: WorkflowHandle<typeof upgradeNode>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await handle.query(upgradeNodeStatusQuery);
    if (status.waitingReason) return status.waitingReason;
    await sleep(100);
  }
  throw new Error('never waited for an operator');
}

describe('upgradeNode workflow', () => {
  it('drains, runs the Job once, waits for the new kubelet, restarts the GPU plugin, and uncordons', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1'), pod('web-2')]);
    cluster.gpus = cluster.gpusAllocatable = 4;
    const result = await run(cluster, (h) => h.result());
    assert.equal(result.outcome, 'upgraded');
    assert.equal(cluster.kubeletVersion, 'v1.32.13');
    assert.deepEqual(cluster.jobsCreated, ['upgrade-w1-v1.32.13']);
    assert.equal(cluster.pluginUid, 'plugin-1+', 'the device plugin pod was restarted once');
    assert.equal(cluster.gpusAllocatable, 4);
    assert.equal(cluster.unschedulable, false, 'uncordoned');
    assert.equal(cluster.pods.length, 0, 'drained');
  });

  it('leaves a node that someone else cordoned cordoned', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.unschedulable = true;
    const result = await run(cluster, (h) => h.result());
    assert.equal(result.outcome, 'upgraded');
    assert.equal(cluster.unschedulable, true);
  });

  it('stops at a failed Job and waits; retry runs the Job anew under the same name', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.jobFails = true;
    const result = await run(cluster, async (h) => {
      assert.match(
        await untilWaiting(h),
        /^upgrade-job: Job upgrade-w1-v1\.32\.13 failed: BackoffLimitExceeded.*; cordoned: w1$/,
      );
      assert.equal(cluster.unschedulable, true, 'the failed node stays cordoned');
      cluster.jobFails = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const upgraded = await h.result();
      recordHistory(testEnv().address, h.workflowId, 'upgrade-node-job-failed-retry');
      return upgraded;
    });
    assert.equal(result.outcome, 'upgraded');
    assert.deepEqual(cluster.jobsCreated, ['upgrade-w1-v1.32.13', 'upgrade-w1-v1.32.13']);
  });

  it('skip ends the node as skipped, still cordoned; the report says where it stopped', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.jobFails = true;
    const result = await run(cluster, async (h) => {
      await untilWaiting(h);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      return h.result();
    });
    assert.equal(result.outcome, 'skipped');
    assert.match(result.message, /skipped by an operator at step upgrade-job/);
    assert.equal(cluster.unschedulable, true);
    assert.equal(cluster.kubeletVersion, 'v1.31.14');
  });

  it('checks after the pause: a crash-looping pod on the node stops it before the uncordon', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.crashLooping = [{ pod: 'shop/web-1', container: 'app', restarts: 5 }];
    const result = await run(cluster, async (h) => {
      assert.match(
        await untilWaiting(h),
        /^checks: pod shop\/web-1 container app is crash-looping \(5 restarts\)/,
      );
      assert.equal(cluster.unschedulable, true, 'not uncordoned while a check fails');
      cluster.crashLooping = [];
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      return h.result();
    });
    assert.equal(result.outcome, 'upgraded');
    assert.equal(cluster.unschedulable, false);
  });

  it('started alone, holds the node in the cluster lease while it runs and gives it back', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.jobFails = true;
    const guard = () => testEnv().client.workflow.getHandle(workflowIds.guard('lab'));
    const result = await run(cluster, async (h) => {
      await untilWaiting(h);
      const { leases } = await guard().query(clusterLeasesQuery);
      assert.deepEqual(
        leases.map((l) => [l.holder.workflowId, l.operation, l.nodes]),
        [[h.workflowId, 'node-upgrade', ['w1']]],
      );
      cluster.jobFails = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      return h.result();
    });
    assert.equal(result.outcome, 'upgraded');
  });

  it('started alone while an operator drains the node, is refused naming the drain; changes nothing', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.block('web-1');
    const drainId = workflowIds.drain('lab', 'w1');
    const err = await run(
      cluster,
      async (h) => {
        const failure = await Promise.race([
          h.result().then(
            () => 'not refused',
            (e: unknown) => e,
          ),
          sleep(20_000).then(() => 'not refused within 20 s'),
        ]);
        cluster.unblock('web-1');
        const drained = await testEnv()
          .client.workflow.getHandle<typeof drainNode>(drainId)
          .result();
        assert.equal(drained.outcome, 'drained', 'the drain went on untouched');
        return failure;
      },
      input(),
      async (taskQueue) => {
        await testEnv().client.workflow.start<typeof drainNode>('drainNode', {
          taskQueue,
          workflowId: drainId,
          args: [{ cluster: 'lab', node: 'w1', timeoutSeconds: 3600 }],
        });
        for (let i = 0; i < 300 && !cluster.unschedulable; i++) await sleep(100);
      },
    );
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, LEASE_REFUSED);
    assert.match(
      err.cause.message,
      new RegExp(
        `^cluster lab: node-upgrade refused: w1 already taken; held by ${drainId} \\(drain, node w1, since `,
      ),
    );
    assert.deepEqual(cluster.jobsCreated, [], 'no upgrade Job');
    assert.equal(cluster.kubeletVersion, 'v1.31.14');
  });
});
