// A Kubernetes upgrade bound to two maintenance windows today, through the CLI on the lab: the
// first is open when the upgrade starts and closes 30 s later, while the control-plane node (which
// settles 40 s) is in flight; the second opens two and a half minutes in. The control-plane node
// finishes and is uncordoned; no worker starts while both are closed; the upgrade says it waits
// for the second window, then upgrades every worker inside it and completes.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from '../../lab/wait';
import { workflowIds, type KubernetesUpgradeResult } from '../../workflows/api';
import { describeInstant, describeWindow } from '../../workflows/policy/maintenance-window';
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

it(
  'finishes the node in flight when the window closes, starts no other while closed and completes in the next window',
  { timeout: 900_000 },
  async (t) => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const closes = now + 30_000;
    const reopens = now + 150_000;
    const first = dailyWindow(now - 60_000, 90_000);
    const second = dailyWindow(reopens, 15 * 60_000);
    const windows = [first, second];
    await startLabUpgrade(stack, '--window', describeWindow(windows), '--pause', '40s');
    const id = workflowIds.upgrade('lab');
    const nodeRun = (node: string) =>
      stack.client.workflow.getHandle(workflowIds.upgradeNode('lab', node, LAB_TARGET)).describe();

    let status = '';
    await waitFor(
      'the upgrade to wait for the second window with nothing in flight',
      async () => {
        status = (await stack.steward('status', id)).stdout;
        return /^lab: waiting-for-window .*in flight none/m.test(status) || status;
      },
      { timeoutMs: 140_000, intervalMs: 2_000 },
    );
    assert.ok(Date.now() < reopens, 'it waits before the second window opens');
    assert.match(status, /upgraded 1, skipped 0/);
    assert.ok(
      status.includes(
        `waiting for the maintenance window: ${describeWindow(windows)} are closed; ` +
          `the next to open is ${describeWindow(second)}, at ${describeInstant(second, reopens)}`,
      ),
      status,
    );
    assert.match(
      await currentDetails(stack, id),
      /Waiting for the maintenance window: .* are closed; the next to open is/,
    );

    const cluster = new LabCluster(stack.lab.kubeconfigPath);
    for (const node of await cluster.nodes()) {
      const upgraded = node.name.startsWith('cp');
      assert.equal(node.kubeletVersion, upgraded ? LAB_TARGET : 'v1.31.14', node.name);
      assert.equal(node.cordoned, false, `${node.name} left cordoned`);
    }
    const cp = await nodeRun('cp-1');
    assert.ok(cp.startTime.getTime() < closes, 'the control-plane node started inside the window');
    assert.ok(cp.closeTime!.getTime() > closes, 'and was still in flight when it closed');
    const after = (d: Date) => `${((d.getTime() - now) / 1000).toFixed(1)} s`;
    t.diagnostic(
      `cp-1 ran from ${after(cp.startTime)} to ${after(cp.closeTime!)}; windows closed at 30 s, reopened at 150 s`,
    );

    const result = await stack.client.workflow
      .getHandle<() => Promise<KubernetesUpgradeResult>>(id)
      .result();
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual([...result.upgraded].sort(), [
      `cp-1@${LAB_TARGET}`,
      `worker-1@${LAB_TARGET}`,
      `worker-2@${LAB_TARGET}`,
      `worker-3@${LAB_TARGET}`,
    ]);
    for (const node of await cluster.nodes()) {
      assert.equal(node.kubeletVersion, LAB_TARGET, node.name);
      assert.equal(node.cordoned, false, `${node.name} left cordoned`);
    }
    for (const worker of ['worker-1', 'worker-2', 'worker-3']) {
      const run = await nodeRun(worker);
      assert.ok(
        run.startTime.getTime() >= reopens,
        `${worker} started in the second window, not at ${run.startTime.toISOString()}`,
      );
      t.diagnostic(`${worker} ran from ${after(run.startTime)} to ${after(run.closeTime!)}`);
    }
  },
);
