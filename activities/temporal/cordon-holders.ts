// Whether the Steward operation that a node's cordon record names still runs, so that `steward
// uncordon` refuses to free a node an operation holds (and says which).
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseCordonOwner, type CordonOwner } from '../../workflows/policy/cordon-owner';

export interface CordonHolder extends CordonOwner {
  /** Whether the run, or a run it continued as, still runs. */
  running: boolean;
  /** The run's status as Temporal names it, e.g. `RUNNING`, `COMPLETED`; `NOT_FOUND` when gone. */
  status: string;
}

export function cordonHolderActivities(client: () => Client) {
  const describe = (workflowId: string, runId?: string) =>
    client().withAbortSignal(Context.current().cancellationSignal, () =>
      client().workflow.getHandle(workflowId, runId).describe(),
    );

  return {
    /** The operation a cordon record names; undefined for a record that names no run. */
    async describeCordonHolder({ record }: { record: string }): Promise<CordonHolder | undefined> {
      const owner = parseCordonOwner(record);
      if (!owner) return undefined;
      try {
        const run = await describe(owner.workflowId, owner.runId);
        if (run.status.name !== 'CONTINUED_AS_NEW') {
          return { ...owner, running: run.status.name === 'RUNNING', status: run.status.name };
        }
        // The chain goes on under the same ID and first run: its latest run holds the cordon.
        const latest = await describe(owner.workflowId);
        const firstRun = (d: typeof run) => d.raw.workflowExecutionInfo?.firstRunId;
        const status = firstRun(latest) === firstRun(run) ? latest.status.name : run.status.name;
        return { ...owner, running: status === 'RUNNING', status };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          return { ...owner, running: false, status: 'NOT_FOUND' };
        }
        throw err;
      }
    },
  };
}
