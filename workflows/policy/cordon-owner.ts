// Who holds a cordon Steward set: the top-level operation and its run (`<workflowId>@<runId>`), so
// a later operation on the same node, or a later run under the same ID, never takes over a cordon
// an earlier one left (or a stale record that `kubectl uncordon` kept) and never frees it.

/** A top-level operation's run: its workflow ID and the run that owns the cordon. */
export interface CordonOwner {
  workflowId: string;
  runId: string;
}

/** The facts of `workflowInfo()` that name the operation at the top of a workflow tree. */
export interface RunInfo {
  workflowId: string;
  firstExecutionRunId: string;
  root?: { workflowId: string; runId: string };
}

export const formatCordonOwner = (owner: CordonOwner): string =>
  `${owner.workflowId}@${owner.runId}`;

/** The owner named by a cordon record; undefined for a record without a run (none Steward wrote). */
export function parseCordonOwner(record: string | undefined): CordonOwner | undefined {
  const at = record?.lastIndexOf('@') ?? -1;
  if (!record || at <= 0 || at === record.length - 1) return undefined;
  return { workflowId: record.slice(0, at), runId: record.slice(at + 1) };
}

/**
 * The cordon owner of a workflow: its root's run when it runs below another workflow, else its own
 * first run (kept across its continue-as-new).
 */
export function cordonOwnerOf(info: RunInfo): string {
  const { root } = info;
  if (root && root.workflowId !== info.workflowId) return formatCordonOwner(root);
  return formatCordonOwner({ workflowId: info.workflowId, runId: info.firstExecutionRunId });
}
