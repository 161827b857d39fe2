// The Kubernetes activities (and the Ceph and Rook reads) as workflows call them: an operation's
// steps retry until the cluster answers; dry runs and add-on steps give up after a few attempts.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const k8s = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const k8sFewAttempts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});
