import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import {
  clusterLeasesQuery,
  decideUpdate,
  drainStatusQuery,
  INVALID_INPUT,
  workflowIds,
  type DrainCarried,
  type DrainNodeInput,
  type DrainNodeResult,
} from '../../workflows/api';
import type { drainNode } from '../../workflows';
import { FakeCluster, pod } from '../support/fake-cluster';
import { cordonHolderActivities } from '../../activities/temporal/cordon-holders';
import { recordHistory } from '../support/histories';
import { endGuard, guardActivities } from '../support/guard';
import { useTestServer, workflowBundle } from '../support/temporal';

const testEnv = useTestServer();
let taskQueueCounter = 0;

/** Runs `body` with a worker whose activities act on `cluster`. */
async function withWorker<T>(
  cluster: FakeCluster,
  body: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `drain-test-${++taskQueueCounter}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...cluster.activities(),
      ...guardActivities(testEnv),
      ...cordonHolderActivities(() => testEnv().client),
    },
  });
  return worker.runUntil(body(taskQueue)).finally(() => endGuard(testEnv, 'lab'));
}

function startDrain(
  taskQueue: string,
  input: DrainNodeInput,
  workflowId = workflowIds.drain(input.cluster, input.node),
  carried?: DrainCarried,
) {
  return testEnv().client.workflow.start<typeof drainNode>('drainNode', {
    taskQueue,
    workflowId,
    args: carried ? [input, carried] : [input],
  });
}

/** How many runs of `workflowId` continued as new (visibility lags the runs a little). */
async function continuedRuns(workflowId: string, atLeast: number): Promise<number> {
  const query = `WorkflowId = "${workflowId}" AND ExecutionStatus = "ContinuedAsNew"`;
  let n = 0;
  for (let i = 0; i < 50 && n < atLeast; i++, await sleep(100)) {
    n = 0;
    for await (const wf of testEnv().client.workflow.list({ query })) {
      n += wf.status.name === 'CONTINUED_AS_NEW' ? 1 : 0;
    }
  }
  return n;
}

async function untilWaiting(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = await handle.query(drainStatusQuery);
    if (status.phase === 'waiting-for-operator') return;
    await sleep(100);
  }
  throw new Error('drain never waited for an operator');
}

async function expectInvalidInput(run: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, INVALID_INPUT);
    assert.deepEqual((err.cause.details?.[0] as { field: string }).field, field);
    return true;
  });
}

const workload = () => [
  pod('web-1'),
  pod('web-2'),
  pod('api-1'),
  pod('exporter-a', { controller: { kind: 'DaemonSet', name: 'node-exporter' } }),
  pod('kube-apiserver-w1', { mirror: true, controller: undefined }),
  pod('job-1', { phase: 'Succeeded', controller: { kind: 'Job', name: 'j' } }),
];

describe('drainNode workflow', () => {
  it('cordons, evicts each managed and finished pod once, and skips DaemonSet and mirror pods', async () => {
    const cluster = new FakeCluster('w1', workload());
    let runId = '';
    const result: DrainNodeResult = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1' });
      runId = handle.firstExecutionRunId;
      return handle.result();
    });
    assert.equal(result.outcome, 'drained');
    assert.equal(result.cordonedBySteward, true);
    assert.equal(cluster.cordonedBy, `drain/lab/w1@${runId}`, 'the cordon names this run');
    assert.deepEqual(result.evicted.map((p) => p.name).sort(), [
      'api-1',
      'job-1',
      'web-1',
      'web-2',
    ]);
    assert.deepEqual([...cluster.evictions.values()], [1, 1, 1, 1]);
    assert.deepEqual(cluster.pods.map((p) => p.pod.name).sort(), [
      'exporter-a',
      'kube-apiserver-w1',
    ]);
  });

  it('refuses an unmanaged pod before cordoning, so nothing changes', async () => {
    const cluster = new FakeCluster('w1', [...workload(), pod('debug', { controller: undefined })]);
    await withWorker(cluster, (tq) =>
      expectInvalidInput(
        startDrain(tq, { cluster: 'lab', node: 'w1' }).then((h) => h.result()),
        'node',
      ),
    );
    assert.equal(cluster.unschedulable, false);
    assert.ok(!cluster.calls.includes('cordonNode'));
    assert.equal(cluster.evictions.size, 0);
  });

  it('evicts unmanaged and emptyDir pods when forced and allowed', async () => {
    const cluster = new FakeCluster('w1', [
      pod('debug', { controller: undefined }),
      pod('cache-1', { usesEmptyDir: true }),
    ]);
    const result = await withWorker(cluster, (tq) =>
      startDrain(tq, { cluster: 'lab', node: 'w1', force: true, deleteEmptyDirData: true }).then(
        (h) => h.result(),
      ),
    );
    assert.equal(result.outcome, 'drained');
    assert.equal(cluster.pods.length, 0);
  });

  it('does not take over a cordon someone else set', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.unschedulable = true;
    const result = await withWorker(cluster, (tq) =>
      startDrain(tq, { cluster: 'lab', node: 'w1' }).then((h) => h.result()),
    );
    assert.equal(result.outcome, 'drained');
    assert.equal(result.cordonedBySteward, false);
    assert.equal(cluster.cordonedBy, undefined);
  });

  it("never adopts a person's cordon over an earlier drain's record: a later run leaves it theirs", async () => {
    const cluster = new FakeCluster('w1', [pod('web-1'), pod('web-2')]);
    await withWorker(cluster, async (tq) => {
      const first = await startDrain(tq, { cluster: 'lab', node: 'w1' });
      assert.equal((await first.result()).cordonedBySteward, true);
      const record = cluster.cordonedBy;
      // `kubectl uncordon` keeps the record; a person then cordons the node for a repair.
      cluster.unschedulable = false;
      cluster.unschedulable = true;
      const later = await (await startDrain(tq, { cluster: 'lab', node: 'w1' })).result();
      assert.equal(later.cordonedBySteward, false, later.message);
      assert.match(later.message, /it was cordoned before this operation and stays so/);
      assert.equal(cluster.cordonedBy, record, 'the record untouched');
    });
  });

  it('continues as new while a PDB blocks it for long, keeping what it evicted, its cordon and its deadline', async () => {
    const cluster = new FakeCluster('w2', [pod('web-1'), pod('web-2'), pod('api-1')]);
    cluster.block('web-2');
    const id = workflowIds.drain('lab', 'w2');
    const result = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w2', timeoutSeconds: 6 }, id, {
        continueAsNewAfterEvents: 40,
      });
      await untilWaiting(handle);
      const waiting = await handle.query(drainStatusQuery);
      assert.match(waiting.waitingReason ?? '', /timed out after 6s with 1 pods left/);
      assert.ok((await continuedRuns(id, 2)) >= 2, 'continued as new while it waited');
      cluster.unblock('web-2');
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const drained = await handle.result();
      assert.equal(cluster.cordonedBy, `drain/lab/w2@${handle.firstExecutionRunId}`);
      return drained;
    });
    assert.equal(result.outcome, 'drained', result.message);
    assert.equal(result.cordonedBySteward, true);
    assert.deepEqual(result.evicted.map((p) => p.name).sort(), ['api-1', 'web-1', 'web-2']);
    assert.deepEqual([...cluster.evictions.values()], [1, 1, 1], 'each pod evicted once');
    assert.deepEqual(result.decisions, [{ decision: 'retry' }]);
  });

  it('times out into an operator wait that shows the blocker; abort leaves the node cordoned', async () => {
    const cluster = new FakeCluster('w1', workload());
    cluster.block('web-2');
    const result = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: 1 });
      await untilWaiting(handle);
      const status = await handle.query(drainStatusQuery);
      assert.match(status.waitingReason ?? '', /timed out after 1s with 1 pods left/);
      assert.deepEqual(
        status.left.map((l) => [l.pod.name, l.blocker]),
        [['web-2', 'PodDisruptionBudget shop/web allows 0 disruptions (2/2 healthy)']],
      );
      await assert.rejects(
        handle.executeUpdate(decideUpdate, { args: [{ decision: 'force' as never }] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError &&
          /must be one of retry, skip, abort/.test(err.cause?.message ?? ''),
      );
      assert.equal(
        await handle.executeUpdate(decideUpdate, { args: [{ decision: 'abort', note: 'test' }] }),
        'abort accepted',
      );
      const aborted = await handle.result();
      recordHistory(testEnv().address, handle.workflowId, 'drain-node-timeout-abort');
      return aborted;
    });
    assert.equal(result.outcome, 'aborted');
    assert.match(result.message, /left cordoned by Steward/);
    assert.equal(cluster.unschedulable, true);
    assert.deepEqual(result.decisions, [{ decision: 'abort', note: 'test' }]);
  });

  it('resumes on retry and finishes once the budget allows', async () => {
    const cluster = new FakeCluster('w1', workload());
    cluster.block('web-2');
    const result = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: 1 });
      await untilWaiting(handle);
      cluster.unblock('web-2');
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      const drained = await handle.result();
      recordHistory(testEnv().address, handle.workflowId, 'drain-node-timeout-retry');
      return drained;
    });
    assert.equal(result.outcome, 'drained');
    assert.equal(cluster.evictions.get(result.evicted.find((p) => p.name === 'web-2')!.uid), 1);
  });

  it('skip ends the drain with the pods left listed', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.block('web-1');
    const result = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: 1 });
      await untilWaiting(handle);
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      return handle.result();
    });
    assert.equal(result.outcome, 'skipped');
    assert.deepEqual(
      result.left.map((l) => l.pod.name),
      ['web-1'],
    );
  });

  it("runs as a Schedule's run (its ID has the run's time) under a lease from the cluster's guard", async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.block('web-1');
    const scheduled = 'drain/lab/w1-2026-12-06T03:00:00Z';
    await withWorker(cluster, async (tq) => {
      const handle = await startDrain(
        tq,
        { cluster: 'lab', node: 'w1', timeoutSeconds: 1 },
        scheduled,
      );
      await untilWaiting(handle);
      const guard = testEnv().client.workflow.getHandle(workflowIds.guard('lab'));
      const { leases } = await guard.query(clusterLeasesQuery);
      assert.deepEqual(
        leases.map((l) => [l.holder.workflowId, l.operation, l.nodes]),
        [[scheduled, 'drain', ['w1']]],
      );
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      assert.equal((await handle.result()).outcome, 'aborted');
      assert.deepEqual((await guard.query(clusterLeasesQuery)).leases, [], 'released');
    });
  });

  it('rejects a decision while it is not waiting', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.block('web-1');
    await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: 30 });
      await assert.rejects(
        handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] }),
        (err: unknown) =>
          err instanceof WorkflowUpdateFailedError &&
          /not waiting for an operator/.test(err.cause?.message ?? ''),
      );
      await handle.terminate('test done');
    });
  });

  it('refuses bad input naming the field: timeout, node name, unknown node, workflow ID', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    await withWorker(cluster, async (tq) => {
      await expectInvalidInput(
        startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: -5 }).then((h) => h.result()),
        'timeoutSeconds',
      );
      await expectInvalidInput(
        startDrain(tq, { cluster: 'lab', node: 'Bad_Name' }, 'drain/lab/bad').then((h) =>
          h.result(),
        ),
        'node',
      );
      await expectInvalidInput(
        startDrain(tq, { cluster: 'lab', node: 'w9' }).then((h) => h.result()),
        'node',
      );
      await expectInvalidInput(
        startDrain(tq, { cluster: 'lab', node: 'w1' }, 'my-drain').then((h) => h.result()),
        'workflowId',
      );
    });
    assert.equal(cluster.unschedulable, false);
    assert.equal(cluster.evictions.size, 0);
  });
});

describe('uncordonNode workflow', () => {
  const uncordon = (tq: string, force = false, node = 'w1') =>
    testEnv().client.workflow.execute('uncordonNode', {
      taskQueue: tq,
      workflowId: workflowIds.uncordon('lab', node),
      args: [{ cluster: 'lab', node, force }],
    });

  it('frees only a node that Steward cordoned, unless forced', async () => {
    const cluster = new FakeCluster('w1', []);
    cluster.unschedulable = true;
    await withWorker(cluster, async (tq) => {
      assert.equal((await uncordon(tq)).uncordoned, false);
      assert.equal(cluster.unschedulable, true);
      assert.equal((await uncordon(tq, true)).uncordoned, true);
      assert.equal(cluster.unschedulable, false);
    });
  });

  it('refuses while the operation holding the cordon still runs, naming it, unless forced; frees it once that ended', async () => {
    const cluster = new FakeCluster('w3', [pod('web-1')]);
    cluster.block('web-1');
    await withWorker(cluster, async (tq) => {
      const drain = await startDrain(tq, { cluster: 'lab', node: 'w3', timeoutSeconds: 1 });
      await untilWaiting(drain);
      const refused = await uncordon(tq, false, 'w3');
      assert.equal(refused.uncordoned, false, refused.message);
      assert.equal(
        refused.message,
        `held by drain/lab/w3 (run ${drain.firstExecutionRunId}), which still runs; --force overrides`,
      );
      assert.equal(cluster.unschedulable, true);
      await drain.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      await drain.result();
      const freed = await uncordon(tq, false, 'w3');
      assert.equal(freed.uncordoned, true, freed.message);
      assert.equal(cluster.unschedulable, false);

      const again = await startDrain(tq, { cluster: 'lab', node: 'w3', timeoutSeconds: 1 });
      await untilWaiting(again);
      assert.equal((await uncordon(tq, true, 'w3')).uncordoned, true);
      assert.equal(cluster.unschedulable, false);
      await again.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      await again.result();
    });
  });
});
