// The Kubernetes activities as workflows call them: an operation retries until the cluster
// answers; a dry run gives up after a few attempts.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const k8s = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export const k8sDryRun = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});
