// What the Temporal UI and `steward list` show about a running operation.
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes } from '../api';

export function announce(operation: string, cluster: string, target: string): void {
  upsertSearchAttributes([
    { key: searchAttributes.operation, value: operation },
    { key: searchAttributes.cluster, value: cluster },
    { key: searchAttributes.target, value: target },
  ]);
}

export function showPhase(phase: string, details: string): void {
  upsertSearchAttributes([{ key: searchAttributes.phase, value: phase }]);
  setCurrentDetails(details);
}

export function bulletList(lines: string[], max = 20): string {
  const shown = lines.slice(0, max).map((l) => `- ${l}`);
  if (lines.length > max) shown.push(`- … and ${lines.length - max} more`);
  return shown.join('\n');
}

/** The current details of a read-only run (a plan, a check), whoever started it: the UI's form too. */
export function showReadOnly(what: string): void {
  setCurrentDetails(`**${what}**: read only, nothing is changed`);
}
