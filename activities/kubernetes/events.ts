// Kubernetes Events on what Steward changes (Nodes, evicted Pods), so that `kubectl describe node`
// and `kubectl get events` show it next to the kubelet's and the controllers' own: core/v1 Events
// from the component `steward`. An Event is a record, never a step: one that cannot be written is
// logged and the operation goes on. Its name derives from its object, reason and occurrence key,
// so a retried activity writes it once.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { asyncLocalStorage } from '@temporalio/activity';
import type { CoreV1Api } from '@kubernetes/client-node';
import { statusCode } from './api-errors';

export const EVENT_COMPONENT = 'steward';

/** What Steward's Events on Nodes and Pods say, by reason. */
export type StewardEventReason =
  'Cordon' | 'Drain' | 'DrainComplete' | 'Uncordon' | 'UpgradeStep' | 'UpgradeStepFailed' | 'Evict';

export interface StewardEvent {
  /** A Node, or a Pod with its namespace and UID. */
  object:
    { kind: 'Node'; name: string } | { kind: 'Pod'; name: string; namespace: string; uid: string };
  reason: StewardEventReason;
  message: string;
  type?: 'Normal' | 'Warning';
  /** What makes this occurrence one: the same key, reason and object are written once. */
  key: string;
}

/** The calling activity's workflow (outside an activity, as in a test, none). */
const execution = () => asyncLocalStorage.getStore()?.info.workflowExecution;

/** The calling activity's operation, e.g. `drain/lab/worker-3`, for the Event's message. */
export const currentOperation = (): string => execution()?.workflowId ?? 'no operation';

/** The calling activity's run: an occurrence key for what happens once per run. */
export const currentRun = (): string => execution()?.runId ?? new Date().toISOString();

function eventName(event: StewardEvent): string {
  const digest = createHash('sha256')
    .update(`${event.reason}\n${event.key}`)
    .digest('hex')
    .slice(0, 16);
  // Like client-go's `<object>.<suffix>`: the object's name keeps `kubectl get events` readable.
  return `${event.object.name.slice(0, 200)}.steward-${digest}`;
}

/** Writes the Event; logs (never throws) when the apiserver refuses it or cannot be reached. */
export async function recordEvent(core: CoreV1Api, event: StewardEvent): Promise<void> {
  const { object } = event;
  // Node Events live in `default` and name the node as its UID, as the kubelet writes them:
  // `kubectl describe node` looks them up that way.
  const namespace = object.kind === 'Pod' ? object.namespace : 'default';
  const now = new Date();
  try {
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: eventName(event), namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: object.kind,
          name: object.name,
          ...(object.kind === 'Pod'
            ? { namespace: object.namespace, uid: object.uid }
            : { uid: object.name }),
        },
        reason: event.reason,
        message: event.message,
        type: event.type ?? 'Normal',
        action: event.reason,
        source: { component: EVENT_COMPONENT, host: hostname() },
        reportingComponent: EVENT_COMPONENT,
        reportingInstance: hostname(),
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  } catch (err) {
    if (statusCode(err) === 409) return; // written by an earlier attempt of this activity
    asyncLocalStorage.getStore()?.log.warn('Kubernetes Event not written; the operation goes on', {
      reason: event.reason,
      object: `${object.kind}/${object.name}`,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
