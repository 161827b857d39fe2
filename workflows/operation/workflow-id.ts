// The one workflow-ID guard: an operation's ID is derived from its target, so that a second
// start for the same target is refused by Temporal instead of running twice.
import { workflowInfo } from '@temporalio/workflow';
import { invalidInput, isRunOf } from '../api';

/** Refuses a run whose ID is not `expected` (or, with `schedules`, a Schedule's run of it). */
export function requireWorkflowId(
  expected: string,
  why: string,
  { schedules = false }: { schedules?: boolean } = {},
): void {
  const id = workflowInfo().workflowId;
  if (schedules ? isRunOf(id, expected) : id === expected) return;
  throw invalidInput(
    'workflowId',
    `must be "${expected}"${schedules ? " (or a Schedule's run of it)" : ''} so that ${why}`,
  );
}
