// Emptying a hypervisor that is still up (before a reinstall): how each instance can leave, and
// which disabled compute services Steward may enable again afterwards.

export interface InstanceState {
  name: string;
  status: string;
  taskState: string | null;
}

export type InstanceMove = { kind: 'live-migration' | 'migration' } | { reason: string };

/**
 * A running (or paused) instance is live-migrated; a stopped one is cold-migrated, which Nova
 * requires of it. Anything else (ERROR, SUSPENDED, RESCUE, a task in progress) cannot be moved
 * safely by Steward, and a person decides: a reinstall never powers off a host with instances.
 */
export function instanceMove(i: InstanceState): InstanceMove {
  if (i.taskState !== null) return { reason: `${i.name} is busy (task ${i.taskState})` };
  if (i.status === 'ACTIVE' || i.status === 'PAUSED') return { kind: 'live-migration' };
  if (i.status === 'SHUTOFF') return { kind: 'migration' };
  return { reason: `${i.name} is ${i.status}: neither live- nor cold-migrated by Steward` };
}

/** The disable reason Steward writes when it takes a host out of scheduling for a reinstall. */
export const reinstallDisableReason = (workflowId: string) =>
  `reinstall by Steward (${workflowId})`;

/**
 * Whether a disabled compute service was disabled by Steward (a reinstall, or an eviction that
 * left the host off), and so may be enabled once the reinstalled host is back. A reason any
 * person wrote keeps the host out of service until that person enables it.
 */
export const disabledBySteward = (reason: string | null): boolean =>
  reason !== null && / by Steward \([^()\s]+\)$/.test(reason);
