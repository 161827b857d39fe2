// Operator notifications as the worker sends them: the production interceptor and webhook
// activity against a real HTTP receiver, with in-memory cluster activities.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { notificationActivities } from '../../activities/notifications/webhook';
import { decideUpdate, workflowIds, type DrainNodeInput } from '../../workflows/api';
import type { drainNode } from '../../workflows';
import { FakeCluster, pod } from '../support/fake-cluster';
import { recordHistory } from '../support/histories';
import { WebhookReceiver } from '../support/webhook-receiver';
import { useTestServer, workerBundle } from '../support/temporal';

const testEnv = useTestServer();
const UI = 'http://ui.example:8233';

let receiver: WebhookReceiver;
before(async () => {
  receiver = new WebhookReceiver();
  await receiver.start();
});
after(() => receiver.stop());

let taskQueueCounter = 0;

async function withWorker<T>(cluster: FakeCluster, body: (tq: string) => Promise<T>): Promise<T> {
  const taskQueue = `notify-test-${++taskQueueCounter}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workerBundle(),
    activities: {
      ...cluster.activities(),
      ...notificationActivities({ url: receiver.url, uiUrl: UI }),
    },
  });
  return worker.runUntil(body(taskQueue));
}

function startDrain(taskQueue: string, input: DrainNodeInput) {
  return testEnv().client.workflow.start<typeof drainNode>('drainNode', {
    taskQueue,
    workflowId: workflowIds.drain(input.cluster, input.node),
    args: [input],
  });
}

describe('operator notifications', () => {
  it('tells start, the wait with its reason and decisions, and completion, linking to the UI', async () => {
    const cluster = new FakeCluster('w1', [pod('web-1')]);
    cluster.block('web-1');
    const handle = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w1', timeoutSeconds: 1 });
      await receiver.until(2);
      cluster.unblock('web-1');
      await handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      await handle.result();
      recordHistory(testEnv().address, handle.workflowId, 'drain-node-notified-retry');
      return handle;
    });
    const events = receiver.eventsOf(handle.workflowId);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['started', 'waiting', 'completed'],
    );
    const waiting = events[1];
    assert.match(waiting.reason ?? '', /timed out after 1s with 1 pods left/);
    assert.deepEqual(waiting.decisions, ['retry', 'skip', 'abort']);
    for (const e of events) {
      assert.equal(e.workflowType, 'drainNode');
      assert.equal(e.namespace, 'default');
      assert.equal(e.runId, handle.firstExecutionRunId);
      assert.equal(
        e.link,
        `${UI}/namespaces/default/workflows/drain%2Flab%2Fw1/${handle.firstExecutionRunId}/history`,
      );
      assert.ok(!Number.isNaN(Date.parse(e.time)), `time ${e.time}`);
    }
  });

  it('tells a failure with its reason, after the start', async () => {
    const cluster = new FakeCluster('w2', [pod('web-1')]);
    const workflowId = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w2', timeoutSeconds: 0 });
      await assert.rejects(handle.result(), WorkflowFailedError);
      return handle.workflowId;
    });
    const events = receiver.eventsOf(workflowId);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['started', 'failed'],
    );
    assert.match(events[1].reason ?? '', /timeoutSeconds: must be greater than 0/);
  });

  it('retries a webhook that fails, and an operation never waits on a refusing one', async () => {
    const cluster = new FakeCluster('w3', [pod('web-1')]);
    receiver.answers.push(503, 500); // the start event, twice
    const before = receiver.attempts;
    const first = await withWorker(cluster, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w3', timeoutSeconds: 5 });
      await handle.result();
      return handle.workflowId;
    });
    assert.deepEqual(
      receiver.eventsOf(first).map((e) => e.kind),
      ['started', 'completed'],
    );
    assert.equal(receiver.attempts - before, 4, 'two refused deliveries of the start, then two');

    const second = new FakeCluster('w4', [pod('web-1')]);
    receiver.answers.push(404, 404); // a wrong URL path: not retried
    const result = await withWorker(second, async (tq) => {
      const handle = await startDrain(tq, { cluster: 'lab', node: 'w4', timeoutSeconds: 5 });
      return handle.result();
    });
    assert.equal(result.outcome, 'drained');
    assert.equal(second.unschedulable, true);
  });
});
