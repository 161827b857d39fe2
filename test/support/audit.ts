// Reads the lab apiserver's audit log: what the real server says was done, not what we think.
// The lab's audit policy (lab/audit-policy.yaml) records writes to nodes, pods and Jobs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AuditEvent {
  verb: string;
  stage: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  responseObject?: { metadata?: { name?: string } };
}

/** Every completed request in the audit log, oldest first. */
export function auditEvents(stateDir: string): AuditEvent[] {
  return readFileSync(join(stateDir, 'lab/audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.stage === 'ResponseComplete');
}

const succeeded = (event: AuditEvent) => {
  const code = event.responseStatus?.code ?? 0;
  return code >= 200 && code < 300;
};

/** Successful requests that `match`, counted per object ("namespace/name"). */
function successesByObject(
  stateDir: string,
  match: (event: AuditEvent) => boolean,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of auditEvents(stateDir)) {
    if (!match(event) || !succeeded(event)) continue;
    const key = `${event.objectRef?.namespace}/${event.objectRef?.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Successful evictions per pod ("namespace/name"), as the apiserver recorded them. */
export const evictionsByPod = (stateDir: string) =>
  successesByObject(
    stateDir,
    (e) => e.verb === 'create' && e.objectRef?.subresource === 'eviction',
  );

/** Successful creations per Job ("namespace/name"); a retried create that got 409 is not one. */
export const jobCreationsByName = (stateDir: string) =>
  successesByObject(
    stateDir,
    (e) => e.verb === 'create' && e.objectRef?.resource === 'jobs' && !e.objectRef.subresource,
  );

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Steward's user when it runs as deploy/rbac makes it (./rbac.ts). */
export const STEWARD_USER = 'system:serviceaccount:steward-system:steward';

/**
 * Writes made through a client's credentials (kubectl, the lab's physics and KWOK use the lab's
 * admin user; Steward that user or its ServiceAccount), leaving out the cluster's own controllers
 * (other `system:` users), which only react to what others changed.
 */
export const clientWrites = (events: AuditEvent[]) =>
  events.filter(
    (e) =>
      WRITES.has(e.verb) &&
      (e.user?.username === STEWARD_USER || !e.user?.username?.startsWith('system:')),
  );

/** One line per event, for assertion messages: `patch nodes worker-2 (200) by kubernetes-admin`. */
export const describeAuditEvent = (e: AuditEvent) =>
  `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ` +
  `${e.objectRef?.namespace ? `${e.objectRef.namespace}/` : ''}${e.objectRef?.name} ` +
  `(${e.responseStatus?.code}) by ${e.user?.username}`;
