// Steward's Prometheus figures, emitted from workflow code through the SDK's metric meter; the
// worker's Runtime serves them with its own (README, "Metrics"). The meter drops every value
// while a workflow replays, so a figure moves once, when the thing happens. A figure that is "now"
// rather than "so far" is a gauge per workflow run (label workflow_id), set on its run's live
// activations: a worker that takes over a run after another one died shows it again as soon as
// the run next makes progress, and Prometheus sums the runs.
import { metricMeter, workflowInfo } from '@temporalio/workflow';

const perRun = () => metricMeter.withTags({ workflow_id: workflowInfo().workflowId });

/** A gauge of this run that is 1 or 0. */
function setRunFlag(name: string, description: string, on: boolean): void {
  perRun()
    .createGauge(name, 'int', '', description)
    .set(on ? 1 : 0);
}

/** 1 while this operation's run is in flight, 0 once it has ended. */
export const setRunning = (running: boolean) =>
  setRunFlag('steward_operation_running', 'Whether the operation is in flight', running);

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

/** 1 while this run waits for an operator's decision, else 0. */
export const setWaitingForOperator = (waiting: boolean) =>
  setRunFlag('steward_operator_waiting', 'Whether the run waits for an operator', waiting);

/** A node finished its part of an operation: upgraded, skipped or aborted. */
export function countNodeDone(outcome: string): void {
  metricMeter
    .createCounter('steward_nodes_done', '', 'Nodes finished, by outcome')
    .add(1, { outcome });
}

/** This rollout's nodes now: in flight, and those of them that wait for an operator. */
export function setRolloutNodes(nodes: { inFlight: number; waiting: number }): void {
  const meter = perRun();
  meter
    .createGauge('steward_nodes_in_flight', 'int', '', 'Nodes the rollout works on now')
    .set(nodes.inFlight);
  meter
    .createGauge('steward_nodes_waiting', 'int', '', 'Nodes in flight that wait for an operator')
    .set(nodes.waiting);
}

/** 1 while this run's maintenance window is closed, else 0. */
export const setWaitingForWindow = (waiting: boolean) =>
  setRunFlag('steward_waiting_for_window', 'Whether the run waits for its window', waiting);

/** How long a node's step took, from its start to its end (operator waits included). */
export function recordStepDuration(step: string, milliseconds: number): void {
  metricMeter
    .createHistogram('steward_step_duration_seconds', 'float', 's', 'Duration of a node step')
    .record(milliseconds / 1000, { step });
}
