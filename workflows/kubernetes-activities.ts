// The Kubernetes activities (and the Ceph and Rook reads) as workflows call them: an operation's
// steps retry until the cluster answers; dry runs and add-on steps give up after a few attempts.
// The short reads and writes on a node's critical path may run as local activities: in the
// worker, within the workflow task, without a round trip through the server per call.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const k8s = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const k8sFewAttempts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** The same calls as `k8s`, as local activities: for the short ones (no waits, no heartbeats). */
export const k8sLocal = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
