// Validates a drain or uncordon request before anything touches a cluster.
import { z } from 'zod';
import { invalidInput, type DrainNodeInput, type DrainOptions } from '../api';

export const DRAIN_DEFAULTS: DrainOptions = {
  timeoutSeconds: 600,
  deleteEmptyDirData: false,
  force: false,
};

const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

export const clusterName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a lowercase DNS label, e.g. "lab"');

export const nodeName = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a Kubernetes node name (lowercase RFC 1123 subdomain)',
  );

const drainInput = z.strictObject({
  cluster: clusterName,
  node: nodeName,
  timeoutSeconds: z
    .number()
    .int('must be a whole number of seconds')
    .positive('must be greater than 0')
    .max(MAX_TIMEOUT_SECONDS, `must be at most ${MAX_TIMEOUT_SECONDS} (7 days)`)
    .default(DRAIN_DEFAULTS.timeoutSeconds),
  deleteEmptyDirData: z.boolean().default(DRAIN_DEFAULTS.deleteEmptyDirData),
  force: z.boolean().default(DRAIN_DEFAULTS.force),
});

const uncordonInput = z.strictObject({
  cluster: clusterName,
  node: nodeName,
  force: z.boolean().default(false),
});

/** A field's path as JavaScript writes it: window[1].start. */
const fieldPath = (path: PropertyKey[]) =>
  path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');

/** Parses with a schema; the first problem becomes a non-retryable InvalidInput naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length > 0 ? fieldPath(issue.path) : 'input';
  if (issue.code === 'unrecognized_keys') {
    throw invalidInput(fieldPath([...issue.path, issue.keys[0]]), 'is not a known field');
  }
  const reason = issue.message.endsWith('received undefined')
    ? 'is required'
    : issue.message.replace(/^Invalid input: /, '');
  throw invalidInput(field, reason);
}

export const parseDrainInput = (input: unknown): Required<DrainNodeInput> =>
  parseInput(drainInput, input);

export const parseUncordonInput = (input: unknown) => parseInput(uncordonInput, input);

/** The input of operations that take only a cluster (the NetBox reconcile, the Ceph health check). */
export const parseClusterInput = (input: unknown): { cluster: string } =>
  parseInput(z.strictObject({ cluster: clusterName }), input);
