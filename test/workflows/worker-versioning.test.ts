// Worker Versioning on the dev server: two builds of the worker in one Worker Deployment, each with
// its own in-memory cluster so the activities show which build did the work. An operation started
// on build A waits for an operator; build B is made current; a new operation goes to B, the guard
// moves to B (auto-upgrade), and A's operation, once answered, completes on A (pinned).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  DEFAULT_DEVICE_PLUGIN,
  decideUpdate,
  upgradeNodeStatusQuery,
  workflowIds,
  type UpgradeNodeInput,
} from '../../workflows/api';
import type { upgradeNode } from '../../workflows';
import { deploymentOptions, setCurrentBuild } from '../../workers/versioning';
import { FakeCluster } from '../support/fake-cluster';
import { endGuard, guardActivities } from '../support/guard';
import { useTestServer, workflowBundle } from '../support/temporal';

const testEnv = useTestServer();
const DEPLOYMENT = 'steward-test';
const taskQueue = 'versioning';

const input = (node: string): UpgradeNodeInput => ({
  cluster: 'lab',
  node,
  version: 'v1.32.13',
  kubeadm: 'node',
  image: 'debian:bookworm-slim',
  drainTimeoutSeconds: 30,
  pauseSeconds: 0,
  stepTimeoutSeconds: 30,
  devicePlugin: DEFAULT_DEVICE_PLUGIN,
});

async function startBuild(build: string, cluster: FakeCluster) {
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    workerDeploymentOptions: deploymentOptions(DEPLOYMENT, build),
    activities: {
      ...cluster.activities(),
      ...cluster.upgradeActivities(),
      ...guardActivities(testEnv),
    },
  });
  const running = worker.run();
  await setCurrentBuild(testEnv().client, DEPLOYMENT, build);
  return { worker, running };
}

const startUpgrade = (node: string) =>
  testEnv().client.workflow.start<typeof upgradeNode>('upgradeNode', {
    taskQueue,
    workflowId: workflowIds.upgradeNode('lab', node, 'v1.32.13'),
    args: [input(node)],
  });

/** The build that ran the workflow's last task, and its versioning behavior. */
async function ranOn(workflowId: string): Promise<[string | null | undefined, string]> {
  const described = await testEnv().client.workflow.getHandle(workflowId).describe();
  const info = described.raw.workflowExecutionInfo?.versioningInfo;
  return [info?.deploymentVersion?.buildId, String(info?.behavior)];
}

async function untilWaiting(handle: WorkflowHandle<typeof upgradeNode>): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await handle.query(upgradeNodeStatusQuery);
    if (status.waitingReason) return status.waitingReason;
    await sleep(100);
  }
  throw new Error('never waited for an operator');
}

describe('Worker Versioning', () => {
  it('an operation started on build A finishes on A while new starts and the guard go to B', async () => {
    const clusterA = new FakeCluster('w1', []);
    const clusterB = new FakeCluster('w2', []);
    clusterA.jobFails = true;
    const a = await startBuild('A', clusterA);
    let b: Awaited<ReturnType<typeof startBuild>> | undefined;
    try {
      const onA = await startUpgrade('w1');
      assert.match(await untilWaiting(onA), /^upgrade-job: .*failed/);

      b = await startBuild('B', clusterB);
      const onB = await startUpgrade('w2');
      assert.equal((await onB.result()).outcome, 'upgraded');
      assert.deepEqual(await ranOn(onB.workflowId), ['B', '1']); // 1: PINNED
      assert.deepEqual(clusterB.jobsCreated, ['upgrade-w2-v1.32.13']);
      const [guardBuild] = await ranOn(workflowIds.guard('lab'));
      assert.equal(guardBuild, 'B', 'the guard (auto-upgrade) moved to the current build');

      clusterA.jobFails = false;
      await onA.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      assert.equal((await onA.result()).outcome, 'upgraded');
      assert.deepEqual(await ranOn(onA.workflowId), ['A', '1']);
      assert.deepEqual(clusterA.jobsCreated, ['upgrade-w1-v1.32.13', 'upgrade-w1-v1.32.13']);
      assert.equal(clusterA.kubeletVersion, 'v1.32.13');
    } finally {
      await endGuard(testEnv, 'lab');
      for (const build of [a, b]) {
        build?.worker.shutdown();
        await build?.running;
      }
    }
  });
});
