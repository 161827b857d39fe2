// A kubernetesUpgrade of a FakeFleet on a test server: a worker on a task queue of its own runs
// it while `body` follows the handle.
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  workflowIds,
  type KubernetesUpgradeCarried,
  type KubernetesUpgradeInput,
} from '../../workflows/api';
import type { kubernetesUpgrade } from '../../workflows';
import type { FakeFleet } from './fake-fleet';
import { endGuard, guardActivities } from './guard';
import { workflowBundle } from './temporal';

export type UpgradeHandle = WorkflowHandle<typeof kubernetesUpgrade>;

export async function runUpgrade<T>(
  env: TestWorkflowEnvironment,
  fleet: FakeFleet,
  input: KubernetesUpgradeInput,
  body: (h: UpgradeHandle) => Promise<T>,
  carried?: KubernetesUpgradeCarried,
): Promise<T> {
  const taskQueue = `k8s-upgrade-${input.cluster}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...fleet.activities(), ...guardActivities(() => env) },
  });
  return worker
    .runUntil(async () => {
      const handle = await env.client.workflow.start<typeof kubernetesUpgrade>(
        'kubernetesUpgrade',
        {
          taskQueue,
          workflowId: workflowIds.upgrade(input.cluster),
          args: carried ? [input, carried] : [input],
        },
      );
      return body(handle);
    })
    .finally(() => endGuard(() => env, input.cluster));
}
