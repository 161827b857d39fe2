// What the Temporal UI shows of an upgrade's tree, read from the server's histories: each child
// workflow's static summary, and the activity summaries its timeline lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { workflowIds } from '../../workflows/api';
import { FakeFleet } from '../support/fake-fleet';
import { useTestServer } from '../support/temporal';
import { runUpgrade } from '../support/upgrade-run';

const testEnv = useTestServer();

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function history(workflowId: string): Promise<HistoryEvent[]> {
  return (await testEnv().client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

const summaryOf = (e: HistoryEvent) =>
  e.userMetadata?.summary
    ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary as Payload)
    : undefined;

const summaries = (events: HistoryEvent[], attributes: keyof HistoryEvent) =>
  events.filter((e) => e[attributes]).map(summaryOf);

describe('the Temporal UI: summaries of an upgrade', () => {
  it('child workflows carry a static summary; activities carry summaries on the timeline', async () => {
    const fleet = new FakeFleet([{ name: 'cp-1', controlPlane: true }, { name: 'w1' }]);
    const cluster = 'ui1';
    await runUpgrade(testEnv(), fleet, { cluster, target: '1.32', pauseSeconds: 1 }, (h) =>
      h.result(),
    );
    const children = (await history(workflowIds.upgrade(cluster)))
      .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
      .filter((a) => a !== null && a !== undefined);
    const w1 = children.find(
      (a) => a.workflowId === workflowIds.upgradeNode(cluster, 'w1', 'v1.32.13'),
    );
    assert.ok(w1, children.map((a) => a.workflowId).join(', '));
    const w1Summary = summaries(
      await history(workflowIds.upgrade(cluster)),
      'startChildWorkflowExecutionInitiatedEventAttributes',
    );
    assert.ok(
      w1Summary.some((s) =>
        /^Upgrade node w1 of ui1 to v1\.32\.\d+ \(kubeadm upgrade node\)$/.test(s ?? ''),
      ),
      w1Summary.join(' | '),
    );

    const node = await history(w1.workflowId!);
    const drain = summaries(node, 'startChildWorkflowExecutionInitiatedEventAttributes');
    assert.deepEqual(drain, [`Drain w1 in ${cluster} for ${w1.workflowId}`]);
    const steps = summaries(node, 'activityTaskScheduledEventAttributes');
    assert.deepEqual(steps, ['wait for Job upgrade-w1-v1.32.13 on w1']);

    const drained = summaries(
      await history(workflowIds.drain(cluster, 'w1')),
      'activityTaskScheduledEventAttributes',
    );
    assert.ok(drained.includes('drain w1: evict 1 pod'), drained.join(' | '));
  });
});
