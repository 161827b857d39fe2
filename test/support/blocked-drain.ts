// A drain of a fake node whose only pod cannot be evicted, run by a worker with the production
// bundle until it waits for an operator: for tests of what an operator sees and answers.
import { setTimeout } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { drainStatusQuery, workflowIds } from '../../workflows/api';
import type { drainNode } from '../../workflows';
import { FakeCluster, pod } from './fake-cluster';
import { endGuard, guardActivities } from './guard';
import { workerBundle } from './temporal';

export async function withBlockedDrain<T>(
  testEnv: () => TestWorkflowEnvironment,
  node: string,
  body: (handle: WorkflowHandle<typeof drainNode>, cluster: FakeCluster) => Promise<T>,
): Promise<T> {
  const cluster = new FakeCluster(node, [pod('web-1')]);
  cluster.block('web-1');
  const taskQueue = `blocked-drain-${node}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workerBundle(),
    activities: {
      ...cluster.activities(),
      ...guardActivities(testEnv),
      notifyOperators: async () => ({ delivered: false }),
    },
  });
  return worker
    .runUntil(async () => {
      const handle = await testEnv().client.workflow.start<typeof drainNode>('drainNode', {
        taskQueue,
        workflowId: workflowIds.drain('lab', node),
        args: [{ cluster: 'lab', node, timeoutSeconds: 1 }],
      });
      const waiting = async () => (await handle.query(drainStatusQuery)).waitingReason;
      for (let i = 0; i < 100 && !(await waiting()); i++) await setTimeout(100);
      return body(handle, cluster);
    })
    .finally(() => endGuard(testEnv, 'lab'));
}
