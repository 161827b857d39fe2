// Steward's Prometheus figures, emitted from workflow code through the SDK's metric meter; the
// worker's Runtime serves them with its own (docs: "Metrics"). The meter drops every value while a
// workflow replays, so a figure moves once, when the thing happens. Only counters and histograms
// here, with no workflow or run label: what is in flight or waiting now is counted from Temporal
// visibility (workers/operation-census.ts), so no series is made per workflow run.
import { metricMeter } from '@temporalio/workflow';

/** How an operation's run ended: completed, failed, cancelled or continued-as-new. */
export function countFinished(outcome: string): void {
  metricMeter
    .createCounter('steward_operations_finished', '', 'Operation runs ended, by outcome')
    .add(1, { outcome });
}

/** An operator wait began (its reason's first word names the step, e.g. "drain", "approval"). */
export function countOperatorWait(reason: string): void {
  metricMeter
    .createCounter('steward_operator_waits', '', 'Waits for an operator decision that began')
    .add(1, { step: reason.split(/[\s:]/)[0] });
}

/** A node finished its part of an operation: upgraded, skipped or aborted. */
export function countNodeDone(outcome: string): void {
  metricMeter
    .createCounter('steward_nodes_done', '', 'Nodes finished, by outcome')
    .add(1, { outcome });
}

/** How long a node's step took, from its start to its end (operator waits included). */
export function recordStepDuration(step: string, milliseconds: number): void {
  metricMeter
    .createHistogram('steward_step_duration_seconds', 'float', 's', 'Duration of a node step')
    .record(milliseconds / 1000, { step });
}
