// steward reconcile run: the NetBox reconcile of a cluster, now.
import type { Client } from '@temporalio/client';
import type { StewardConfig } from '../../workers/config';
import { workflowIds, type NetboxReconcileResult } from '../../workflows/api';
import { EXIT } from '../exit-codes';
import { followCommands, startDetails } from './start-operation';

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
    staticDetails: startDetails(
      { cluster },
      'the steward CLI',
      followCommands(workflowIds.netboxReconcile(cluster)),
    ),
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
