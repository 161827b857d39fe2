// Operator notifications from workflow code: an activity per event, so a webhook outage is retried
// by Temporal and never lost with a worker. Installed by the interceptor in
// notifications-interceptor.ts; without it (workflow tests) nothing is sent.
import { log, workflowInfo } from '@temporalio/workflow';
import { notificationCalls } from './operation/activity-profiles';
import type { OperatorNotification } from './api';

const { notifyOperators: deliver } = notificationCalls;

/** Runs whose worker installed the interceptor; keyed by run, as the sandbox may host several. */
const notifyingRuns = new Set<string>();

export function enableNotifications(): void {
  notifyingRuns.add(workflowInfo().runId);
}

export function disableNotifications(): void {
  notifyingRuns.delete(workflowInfo().runId);
}

/**
 * Sends one event; resolves once delivered or given up on (a webhook never fails an operation).
 * Callers that go on working need not await it.
 */
export async function notifyOperators(notification: OperatorNotification): Promise<void> {
  if (!notifyingRuns.has(workflowInfo().runId)) return;
  const root = workflowInfo().root?.workflowId;
  const operation = root && root !== workflowInfo().workflowId ? root : undefined;
  try {
    await deliver(operation ? { ...notification, operation } : notification);
  } catch (err) {
    log.warn('operator notification not delivered', {
      kind: notification.kind,
      error: ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message,
    });
  }
}
