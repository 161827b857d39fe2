// steward reconcile: the NetBox reconcile of a cluster, now or on a Temporal Schedule.
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { StewardConfig } from '../../../workers/config';
import { workflowIds, type NetboxReconcileResult } from '../../../workflows/api';
import { EXIT } from '../exit-codes';

export async function reconcileNow(
  client: Client,
  config: StewardConfig,
  cluster: string,
): Promise<number> {
  const result: NetboxReconcileResult = await client.workflow.execute('netboxReconcile', {
    taskQueue: config.taskQueue,
    workflowId: workflowIds.netboxReconcile(cluster),
    args: [{ cluster }],
    staticSummary: `NetBox reconcile of ${cluster}`,
  });
  process.stdout.write(
    [
      `NetBox reconcile of ${cluster}: ${result.checked} devices checked, ${result.written.length} updated`,
      ...result.written.map((w) => `  ${w}`),
      ...(result.notInNetbox.length
        ? [`  no NetBox device: ${result.notInNetbox.join(', ')}`]
        : []),
    ].join('\n') + '\n',
  );
  return EXIT.ok;
}

/**
 * Creates or updates the reconcile's Schedule. A run still going when the next is due is skipped
 * (they would write the same), missed runs are caught up only within one interval, and a failed
 * run does not pause the Schedule (the next may well succeed; the failure shows in its history).
 */
export async function scheduleReconcile(
  client: Client,
  config: StewardConfig,
  cluster: string,
  everySeconds: number,
): Promise<number> {
  const scheduleId = workflowIds.netboxReconcile(cluster);
  const options: ScheduleOptions = {
    scheduleId,
    spec: { intervals: [{ every: `${everySeconds}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'netboxReconcile',
      workflowId: scheduleId,
      taskQueue: config.taskQueue,
      args: [{ cluster }],
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: `${everySeconds}s`,
      pauseOnFailure: false,
    },
    state: { note: `steward reconcile schedule --every ${everySeconds}s` },
  };
  let verb = 'created';
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      policies: { ...previous.policies, ...options.policies },
    }));
    verb = 'updated';
  }
  process.stdout.write(
    `schedule ${scheduleId} ${verb}: every ${everySeconds}s; overlap skip, catch-up ${everySeconds}s, not paused on failure\n`,
  );
  return EXIT.ok;
}
