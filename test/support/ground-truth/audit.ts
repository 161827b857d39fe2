// The apiserver's audit log as plain records: every successful write (Jobs, evictions, node
// patches, pod deletions, Helm's release Secrets), by user and user agent. The lab logs writes at
// level Metadata (lab/audit-policy.yaml); where a rule logs bodies (level Request), a node write
// also says what it set (cordon, uncordon, the owner annotation).
import { CORDONED_BY_ANNOTATION } from '../../../activities/kubernetes/nodes';
import { auditEvents, type AuditEvent } from '../audit';
import type { ApiWrite, NodeChange } from './records';

/** The fields of an audit.k8s.io/v1 Event beyond those the count helpers read. */
export interface AuditRecord extends AuditEvent {
  userAgent?: string;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
  requestObject?: {
    metadata?: { annotations?: Record<string, string | null> };
    spec?: { unschedulable?: boolean | null };
  };
}

const WRITES = new Set(['create', 'update', 'patch', 'delete']);

/** What a node write's body set; undefined when the log has no body (level Metadata). */
function nodeChange(event: AuditRecord): NodeChange | undefined {
  const body = event.requestObject;
  if (!body) return undefined;
  const change: NodeChange = {};
  const spec = body.spec ?? {};
  if ('unschedulable' in spec) change.unschedulable = spec.unschedulable ?? null;
  // An update replaces the whole spec: no `unschedulable` means schedulable.
  else if (event.verb === 'update') change.unschedulable = false;
  const annotations = body.metadata?.annotations ?? {};
  if (CORDONED_BY_ANNOTATION in annotations)
    change.cordonedBy = annotations[CORDONED_BY_ANNOTATION] ?? null;
  return change;
}

/** The successful writes among completed audit events, oldest first. */
export function auditWrites(events: AuditRecord[]): ApiWrite[] {
  const writes: ApiWrite[] = [];
  for (const event of events) {
    const code = event.responseStatus?.code ?? 0;
    if (event.stage !== 'ResponseComplete' || !WRITES.has(event.verb)) continue;
    if (code < 200 || code >= 300) continue;
    const ref = event.objectRef ?? {};
    const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? '');
    const node = resource === 'nodes' ? nodeChange(event) : undefined;
    writes.push({
      at: event.requestReceivedTimestamp ?? event.stageTimestamp ?? '',
      user: event.user?.username ?? '',
      userAgent: event.userAgent ?? '',
      verb: event.verb as ApiWrite['verb'],
      resource,
      ...(ref.namespace && { namespace: ref.namespace }),
      name: ref.name ?? '',
      code,
      ...(node && { node }),
    });
  }
  return writes;
}

/** The lab apiserver's successful writes (`<state dir>/lab/audit.log`). */
export const apiWrites = (stateDir: string): ApiWrite[] =>
  auditWrites(auditEvents(stateDir) as AuditRecord[]);
