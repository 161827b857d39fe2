// The calls of the bare-metal and hypervisor operations (NetBox, BMC, Vault, Nova) as workflows
// make them. A step's call gives up after a few attempts (a hung BMC, NetBox down) and the
// operator decides; two minutes, since a BMC activity polls the power for up to a minute after a
// change. Following an instance's move to its end takes as long as the move, heartbeating.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const hostCalls = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export const followMoves = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
