// The webhook's `text` format: one line Slack's and Mattermost's incoming webhooks post as is.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { notificationActivities } from '../../activities/notifications/webhook';
import type { OperatorNotification } from '../../workflows/api';
import { WebhookReceiver } from '../support/webhook-receiver';

const receiver = new WebhookReceiver();
before(() => receiver.start());
after(() => receiver.stop());

const env = new MockActivityEnvironment({
  workflowExecution: { workflowId: 'drain/prod-a/w1', runId: 'r1' },
  workflowType: 'drainNode',
  workflowNamespace: 'ops',
});

describe('the webhook in text format', () => {
  it('posts only {text}, naming the operation, why, how to answer and the link', async () => {
    const { notifyOperators } = notificationActivities({
      url: receiver.url,
      uiUrl: 'https://ui.example',
      format: 'text',
    });
    const waiting: OperatorNotification = {
      kind: 'waiting',
      operation: 'k8s-upgrade/prod-a',
      reason: 'drain of w1 timed out after 600s with 1 pods left',
      decisions: ['retry', 'skip', 'abort'],
    };
    await env.run(notifyOperators, waiting);
    const [body] = await receiver.until(1);
    assert.deepEqual(Object.keys(body), ['text']);
    assert.equal(
      (body as unknown as { text: string }).text,
      'Steward waiting: drain/prod-a/w1 (in k8s-upgrade/prod-a): drain of w1 timed out after ' +
        '600s with 1 pods left. Answer with `steward decide drain/prod-a/w1 retry|skip|abort`. ' +
        'https://ui.example/namespaces/ops/workflows/drain%2Fprod-a%2Fw1/r1/history',
    );
  });
});
