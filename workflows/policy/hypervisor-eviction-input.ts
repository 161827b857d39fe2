// Validates a hypervisor eviction or an eviction watch before anything is read or changed. The
// region and host are checked for form here; whether they exist is the worker's configuration and
// Nova's to say (refused naming the same fields).
import { z } from 'zod';
import { invalidInput } from '../api';
import { clusterName, nodeName, parseInput } from './drain-input';
import {
  DEFAULT_FAILURE_WINDOW_MINUTES,
  DEFAULT_THRESHOLD,
  parseThreshold,
  type PartitionThreshold,
} from './hypervisor-failures';

export const EVICTION_DEFAULTS = {
  /** Evacuations in flight at once. */
  concurrency: 4,
  /** Evacuations of one instance before the operator is asked. */
  maxAttempts: 3,
  /** Seconds before the second attempt; doubled each time. */
  backoffSeconds: 10,
  intervalSeconds: 30,
  gracePolls: 2,
  failureWindowMinutes: DEFAULT_FAILURE_WINDOW_MINUTES,
} as const;

const secretRef = z
  .string()
  .regex(
    /^vault:[^#\s]+#[^#\s]+$/,
    'must be a Vault reference like vault:secret/data/bmc/hv-1#password',
  );

const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

// The partition threshold: an eviction started by hand is judged against it as the watch's are.
const thresholdFields = {
  /** "2" hosts or "25%" of them; default both (2 and 25%, the stricter applies). */
  threshold: z.union([z.string(), z.number()]).optional(),
  thresholdScope: z.enum(['region', 'zone'], { error: 'must be region or zone' }).default('region'),
  /** Minutes an eviction counts against the threshold (a week at most). */
  failureWindowMinutes: wholeNumber(1, 10080, EVICTION_DEFAULTS.failureWindowMinutes),
};

const evictionInput = z.strictObject({
  region: clusterName,
  host: nodeName,
  concurrency: wholeNumber(1, 64, EVICTION_DEFAULTS.concurrency),
  maxAttempts: wholeNumber(1, 10, EVICTION_DEFAULTS.maxAttempts),
  backoffSeconds: wholeNumber(1, 3600, EVICTION_DEFAULTS.backoffSeconds),
  bmcCredentials: z.strictObject({ username: secretRef, password: secretRef }).optional(),
  ...thresholdFields,
});

const watchInput = z.strictObject({
  region: clusterName,
  intervalSeconds: wholeNumber(1, 3600, EVICTION_DEFAULTS.intervalSeconds),
  gracePolls: wholeNumber(1, 100, EVICTION_DEFAULTS.gracePolls),
  concurrency: wholeNumber(1, 64, EVICTION_DEFAULTS.concurrency),
  ...thresholdFields,
});

export type EvictionRequest = z.output<typeof evictionInput> & {
  bmcCredentials: { username: string; password: string };
};

export type EvictionWatchRequest = z.output<typeof watchInput>;

export function parseEvictionInput(input: unknown): EvictionRequest {
  const parsed = parseInput(evictionInput, input);
  partitionThreshold(parsed);
  return {
    ...parsed,
    bmcCredentials: parsed.bmcCredentials ?? {
      username: `vault:secret/data/bmc/${parsed.host}#username`,
      password: `vault:secret/data/bmc/${parsed.host}#password`,
    },
  };
}

/** The watch's input with its defaults; the threshold as given (checked), see partitionThreshold. */
export function parseEvictionWatchInput(input: unknown): EvictionWatchRequest {
  const parsed = parseInput(watchInput, input);
  partitionThreshold(parsed);
  return parsed;
}

/** The partition threshold applied: as given, else DEFAULT_THRESHOLD, in its scope. */
export function partitionThreshold({
  threshold,
  thresholdScope,
}: Pick<EvictionWatchRequest, 'threshold' | 'thresholdScope'>): PartitionThreshold {
  if (threshold === undefined) return { ...DEFAULT_THRESHOLD, scope: thresholdScope };
  try {
    return { ...parseThreshold(threshold), scope: thresholdScope };
  } catch (err) {
    throw invalidInput('threshold', (err as Error).message);
  }
}

/** "2 hosts and 25% of the hosts per region" */
export function describeThreshold(threshold: PartitionThreshold): string {
  const parts = [
    threshold.count !== undefined && `${threshold.count} hosts`,
    threshold.percent !== undefined && `${threshold.percent}% of the hosts`,
  ].filter(Boolean);
  return `at most ${parts.join(' and ')} per ${threshold.scope ?? 'region'}`;
}
