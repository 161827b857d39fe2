// The activity-option profiles every workflow calls activities through, named for how they
// retry, so that one name always means one policy. No workflow creates proxies of its own.
import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../../activities';

/** Retried until the system answers: an operation's step never fails on a slow apiserver. */
const UNTIL_ANSWERED: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};

/** Kubernetes reads and writes of an operation's steps. */
export const kubernetes = proxyActivities<Activities>(UNTIL_ANSWERED);

/** The same calls in the worker, within the workflow task: for short calls with no heartbeat. */
export const kubernetesLocal = proxyLocalActivities<Activities>(UNTIL_ANSWERED);

/** Dry runs, add-on steps and one-off reads: a few attempts, then the caller decides. */
export const kubernetesFewAttempts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** The cluster guard's leases. */
export const guardCalls = proxyActivities<Activities>(UNTIL_ANSWERED);

/**
 * NetBox, BMC, Vault and Nova calls of the host operations: a few attempts, then the step's
 * loop waits an outage out or asks the operator. Two minutes, since a BMC activity polls the
 * power for up to a minute after a change.
 */
export const hostCalls = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** A fence's BMC calls: a BMC that does not answer is the operator's question soon. */
export const fenceCalls = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '15 seconds', maximumAttempts: 3 },
});

/** Reads of NetBox and Nova before an operation's first change. */
export const inventoryReads = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** Dry-run plans and the eviction watch's polls: an unanswered read is reported, not waited on. */
export const planReads = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/** Helm (Rook's and Tigera's operators), Rook and Ceph calls: a helm upgrade takes its time. */
export const storageCalls = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Following an instance's move to its end takes as long as the move. */
export const followMoves = heartbeating(30 * 60 - 60, 30);

/** Operators' notifications: best effort, never holding an operation up for long. */
export const notificationCalls = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/**
 * Activities that wait (a Job, a node, a roll) for up to `timeoutSeconds`, heartbeating so that
 * a dead worker is noticed in `heartbeatSeconds`; retried until they report.
 */
export function heartbeating(timeoutSeconds: number, heartbeatSeconds = 20) {
  return proxyActivities<Activities>({
    startToCloseTimeout: `${timeoutSeconds + 60} seconds`,
    heartbeatTimeout: `${heartbeatSeconds} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
}

/** An activity of any profile, callable with call-site options. */
interface WithOptions<A extends unknown[], R> {
  executeWithOptions(options: { summary?: string }, args: A): Promise<R>;
}

/**
 * Calls `activity` with the one-line summary the Temporal UI shows on its timeline, e.g. "evacuate
 * vm-17 → hv-3": the timeline then reads as what the operation did, not as activity types. Not for
 * local activities: their markers carry no summary (SDK 1.24).
 */
export function summarized<A extends unknown[], R>(
  activity: WithOptions<A, R>,
  summary: string,
  ...args: A
): Promise<R> {
  return activity.executeWithOptions({ summary }, args);
}
