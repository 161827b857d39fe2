// A kubernetesUpgrade of a FakeFleet on a test server: a worker on a task queue of its own runs
// it while `body` follows the handle.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeCarried,
  type KubernetesUpgradeInput,
  type KubernetesUpgradeStatus,
  type OperatorWait,
} from '../../workflows/api';
import type { kubernetesUpgrade } from '../../workflows';
import type { FakeFleet } from './fake-fleet';
import { endGuard, guardActivities } from './guard';
import { workflowBundle } from './temporal';

export type UpgradeHandle = WorkflowHandle<typeof kubernetesUpgrade>;

/**
 * `beforeStart` runs on the worker's task queue before the upgrade starts (e.g. another operation
 * that holds a node).
 */
export async function runUpgrade<T>(
  env: TestWorkflowEnvironment,
  fleet: FakeFleet,
  input: KubernetesUpgradeInput,
  body: (h: UpgradeHandle) => Promise<T>,
  carried?: KubernetesUpgradeCarried,
  beforeStart?: (taskQueue: string) => Promise<void>,
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
      await beforeStart?.(taskQueue);
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

/** Polls the upgrade's status (real time) until `ok`; says how the run ended if it did first. */
export async function untilStatus(
  handle: UpgradeHandle,
  ok: (status: KubernetesUpgradeStatus) => boolean,
  what: string,
): Promise<KubernetesUpgradeStatus> {
  let last: KubernetesUpgradeStatus | undefined;
  for (let i = 0; i < 600; i++) {
    last = await handle.query(kubernetesUpgradeStatusQuery);
    if (ok(last)) return last;
    const { status } = i % 10 === 9 ? await handle.describe() : { status: undefined };
    if (status && status.name !== 'RUNNING') {
      throw new Error(`never ${what}: the run ended ${status.name}: ${JSON.stringify(last)}`);
    }
    await sleep(100);
  }
  throw new Error(`never ${what}: ${JSON.stringify(last)}`);
}

/** The first operator wait anywhere in the upgrade. */
export const untilWaiting = async (handle: UpgradeHandle): Promise<OperatorWait> =>
  (await untilStatus(handle, (s) => s.waiting.length > 0, 'waited for an operator')).waiting[0];
