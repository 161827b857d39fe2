// Hypervisor eviction and its watch: input, plan, status and result.
import { defineQuery } from '@temporalio/workflow';
import type { OperationWaits } from './common';

export interface HypervisorEvictionInput {
  /** The OpenStack region as the worker's configuration names it. */
  region: string;
  /** The compute host (Nova's service host, NetBox's device name). */
  host: string;
  /** Evacuations in flight at once. Default 4. */
  concurrency?: number;
  /** Evacuations of one instance before the operator is asked. Default 3. */
  maxAttempts?: number;
  /** Seconds before an instance's second evacuation, doubled for each further one. Default 10. */
  backoffSeconds?: number;
  /** Vault references of the BMC login. Default `vault:secret/data/bmc/<host>#username|password`. */
  bmcCredentials?: { username: string; password: string };
  /** The partition threshold this eviction is judged against, as the watch's (default 2 and 25%). */
  threshold?: string | number;
  thresholdScope?: 'region' | 'zone';
  /** Minutes an eviction counts against the threshold. Default 60. */
  failureWindowMinutes?: number;
}

export type EvictionStep =
  | 'validating'
  | 'confirming'
  | 'fencing'
  | 'disabling'
  | 'evacuating'
  | 'recording'
  | 'done'
  | 'not-failed'
  | 'refused'
  | 'aborted';

export type InstanceEvacuationState = 'pending' | 'evacuating' | 'moved' | 'failed' | 'skipped';

export interface InstanceEvacuation {
  id: string;
  name: string;
  /** ACTIVE or SHUTOFF: the status it must have again on its new host. */
  expectedStatus: string;
  state: InstanceEvacuationState;
  from: string;
  /** The host Steward chose (Nova's scheduler may be left to choose on a later attempt). */
  target?: string;
  /** Where it ended. */
  to?: string;
  attempts: number;
  /** Seconds from the first evacuation request to the instance settled on its new host. */
  seconds?: number;
  /** Why it has not moved (yet). */
  reason?: string;
}

export interface HypervisorEvictionStatus extends OperationWaits {
  region: string;
  host: string;
  step: EvictionStep;
  /** The BMC as reached, e.g. `127.0.1.2:6623 (NetBox OOB IP)`. */
  bmc?: string;
  /** The BMC read back "off" after Steward's power-off. */
  fenced: boolean;
  instances: InstanceEvacuation[];
  /** One line per step done, in order. */
  log: string[];
}

export interface HypervisorEvictionResult extends HypervisorEvictionStatus {
  /**
   * evicted: every instance moved (or skipped by an operator); not-failed: the host is up, nothing
   * done; refused: above the partition threshold, nothing done.
   */
  outcome: 'evicted' | 'not-failed' | 'refused' | 'aborted';
  message: string;
  /** Seconds from the start to the end of the eviction. */
  seconds: number;
}

export const hypervisorEvictionStatusQuery = defineQuery<HypervisorEvictionStatus>(
  'hypervisorEvictionStatus',
);

/** What an eviction would do (`steward evict --dry-run`), read without changing anything. */
export interface HypervisorEvictionPlan {
  region: string;
  host: string;
  /** Nova's view of the host's compute service. */
  service: { state: string; status: string; forcedDown: boolean };
  /** Whether an eviction would proceed (the service is down, within the threshold). */
  wouldEvict: boolean;
  /** Set when evicting it would exceed the partition threshold: the counts. */
  overThreshold?: string;
  bmc: string;
  bmcSerial: string;
  power: string;
  /** Each instance with the host Steward would choose, or why none. */
  instances: { id: string; name: string; status: string; target?: string; reason?: string }[];
}

export interface HypervisorEvictionWatchInput {
  region: string;
  /** Seconds between polls of Nova's compute services. Default 30. */
  intervalSeconds?: number;
  /** Consecutive polls a host must be seen failed before it is evicted. Default 2. */
  gracePolls?: number;
  /** At most this many failed hosts ("2") or share of the hosts ("25%"); default both 2 and 25%. */
  threshold?: string | number;
  /** Count the threshold over the region (default) or per availability zone. */
  thresholdScope?: 'region' | 'zone';
  /** Minutes an eviction counts against the threshold. Default 60. */
  failureWindowMinutes?: number;
  /** Passed to each eviction. Default 4. */
  concurrency?: number;
}

/** What a continued run of the watch carries over; not an operator's input. */
export interface HypervisorEvictionWatchCarried {
  /** Consecutive polls each failing host has been seen failed. */
  streaks: Record<string, number>;
  /** Hosts whose eviction the watch started, while they stay failed. */
  started: string[];
  polls: number;
  /** Hosts whose eviction the watch started, and when: they count against the threshold. */
  evictions?: { host: string; at: string }[];
  /** The partition the last poll saw, so operators hear of it once, not once per run. */
  partition?: string;
  /** Nova or Keystone could not be read at the last poll, so operators hear of it once. */
  novaUnreachable?: string;
  /** Continue as new after this many polls (the server may suggest it sooner). Default 500. */
  continueAsNewAfterPolls?: number;
}

export interface HypervisorEvictionWatchStatus extends OperationWaits {
  region: string;
  polls: number;
  lastPollAt?: string;
  hosts: number;
  /** Failed hosts still in their grace: host and polls seen. */
  waiting: { host: string; polls: number }[];
  /** Hosts whose eviction has been started and that are still failed. */
  evicting: string[];
  /** Set while more hosts failed than the threshold allows: nothing is evicted. */
  partition?: string;
  /** Set while Nova or Keystone cannot be read: why, and since when. The watch keeps polling. */
  novaUnreachable?: string;
  /** Hosts evicted within the failure window (counted against the threshold), and when. */
  recentEvictions: { host: string; at: string }[];
  threshold: string;
  /** Hosts whose eviction was started, over the watch's life (this run). */
  startedThisRun: string[];
}

export const hypervisorEvictionWatchStatusQuery = defineQuery<HypervisorEvictionWatchStatus>(
  'hypervisorEvictionWatchStatus',
);
