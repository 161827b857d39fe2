// A Kubernetes upgrade bound to a maintenance window, through the CLI on the lab: the window is
// open when the upgrade starts and closes a minute later, while the control-plane node (which
// settles 90 s) is in flight. That node finishes and is uncordoned; no worker starts; the
// upgrade sleeps until tomorrow's window and says so. (That it resumes there is shown on the
// time-skipping server, test/workflows/kubernetes-upgrade-window.test.ts.)
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from '../../lab/wait';
import { workflowIds } from '../../workflows/api';
import { describeWindow } from '../../workflows/policy/maintenance-window';
import { LabCluster } from '../support/lab-cluster';
import { LAB_TARGET, startLabUpgrade } from '../support/lab-upgrade';
import { currentDetails, startTestStack, type TestStack } from '../support/stack';
import { dailyWindow } from '../support/windows';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('upgrade-small-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

it('finishes the node in flight when the window closes, starts no other and waits for the next window', async () => {
  const now = Date.now();
  const closes = now + 60_000;
  const window = describeWindow(dailyWindow(now - 60_000, 120_000));
  await startLabUpgrade(stack, '--window', window, '--pause', '90s');
  const id = workflowIds.upgrade('lab');

  let status = '';
  await waitFor(
    'the upgrade to wait for the next window with nothing in flight',
    async () => {
      status = (await stack.steward('status', id)).stdout;
      return /^lab: waiting-for-window .*in flight none/m.test(status) || status;
    },
    { timeoutMs: 360_000, intervalMs: 2_000 },
  );
  const tomorrow = new Date(now - 60_000 + 86_400_000).toISOString();
  assert.match(status, /upgraded 1, skipped 0/);
  assert.ok(
    status.includes(
      `waiting for the maintenance window: ${window} is closed; next opens at ` +
        `${['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(tomorrow).getUTCDay()]} ` +
        `${tomorrow.slice(0, 10)} ${tomorrow.slice(11, 19)} UTC`,
    ),
    status,
  );
  assert.match(await currentDetails(stack, id), /Waiting for the maintenance window: .* is closed/);

  const cluster = new LabCluster(stack.lab.kubeconfigPath);
  for (const node of await cluster.nodes()) {
    const upgraded = node.name.startsWith('cp');
    assert.equal(node.kubeletVersion, upgraded ? LAB_TARGET : 'v1.31.14', node.name);
    assert.equal(node.cordoned, false, `${node.name} left cordoned`);
  }
  const cp = await stack.client.workflow
    .getHandle(workflowIds.upgradeNode('lab', 'cp-1', LAB_TARGET))
    .describe();
  assert.ok(cp.startTime.getTime() < closes, 'the control-plane node started inside the window');
  assert.ok(cp.closeTime!.getTime() > closes, 'and was still in flight when it closed');
});
