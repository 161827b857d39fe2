// Bounded histories: a run that can wait long continues as new well before Temporal's limits.
import { workflowInfo } from '@temporalio/workflow';

/** Temporal warns at 10,240 events; a run continues as new before that. */
export const CONTINUE_AS_NEW_AFTER_EVENTS = 10_000;

/** Whether this run should continue as new: Temporal suggests it, or its history reached `limit`. */
export function historyFull(limit = CONTINUE_AS_NEW_AFTER_EVENTS): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}
