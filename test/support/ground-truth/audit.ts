// The apiserver's audit log as plain records: every successful write (Jobs, evictions, node
// patches, pod deletions, Helm's release Secrets), by user and user agent. The lab logs writes at
// level Metadata (lab/audit-policy.yaml), without bodies: what a node patch set (a cordon, an
// uncordon) comes from the node sampler (./kube.ts).
import { auditEvents, type AuditEvent } from '../audit';
import type { ApiWrite } from './records';

/** The fields of an audit.k8s.io/v1 Event beyond those the count helpers read. */
export interface AuditRecord extends AuditEvent {
  userAgent?: string;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

const WRITES = new Set(['create', 'update', 'patch', 'delete']);

/** The successful writes among completed audit events, oldest first. */
export function auditWrites(events: AuditRecord[]): ApiWrite[] {
  const writes: ApiWrite[] = [];
  for (const event of events) {
    const code = event.responseStatus?.code ?? 0;
    if (event.stage !== 'ResponseComplete' || !WRITES.has(event.verb)) continue;
    if (code < 200 || code >= 300) continue;
    const ref = event.objectRef ?? {};
    const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? '');
    writes.push({
      at: event.requestReceivedTimestamp ?? event.stageTimestamp ?? '',
      user: event.user?.username ?? '',
      userAgent: event.userAgent ?? '',
      verb: event.verb as ApiWrite['verb'],
      resource,
      ...(ref.namespace && { namespace: ref.namespace }),
      name: ref.name ?? '',
      code,
    });
  }
  return writes;
}

/** The lab apiserver's successful writes (`<state dir>/lab/audit.log`). */
export const apiWrites = (stateDir: string): ApiWrite[] =>
  auditWrites(auditEvents(stateDir) as AuditRecord[]);
