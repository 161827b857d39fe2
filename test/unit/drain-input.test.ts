import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_INPUT } from '../../workflows/api';
import {
  DRAIN_DEFAULTS,
  parseDrainInput,
  parseUncordonInput,
} from '../../workflows/policy/drain-input';

/** Asserts that `run` throws a non-retryable InvalidInput naming `field`, and returns its reason. */
function invalid(run: () => unknown, field: string): string {
  let failure: unknown;
  try {
    run();
  } catch (err) {
    failure = err;
  }
  assert.ok(
    failure instanceof ApplicationFailure,
    `expected an ApplicationFailure, got ${failure}`,
  );
  assert.equal(failure.type, INVALID_INPUT);
  assert.equal(failure.nonRetryable, true);
  const detail = failure.details?.[0] as { field: string; reason: string };
  assert.equal(detail.field, field);
  assert.equal(typeof detail.reason, 'string');
  assert.equal(failure.message, `${field}: ${detail.reason}`);
  return detail.reason;
}

const base = { cluster: 'lab', node: 'worker-1' };

describe('parseDrainInput', () => {
  it('fills in the defaults', () => {
    assert.deepEqual(parseDrainInput(base), { ...base, ...DRAIN_DEFAULTS });
    assert.deepEqual(DRAIN_DEFAULTS, {
      timeoutSeconds: 600,
      deleteEmptyDirData: false,
      force: false,
    });
  });

  it('keeps the options it is given', () => {
    const input = { ...base, timeoutSeconds: 60, deleteEmptyDirData: true, force: true };
    assert.deepEqual(parseDrainInput(input), input);
  });

  const valid: [string, Record<string, unknown>][] = [
    ['a dotted node name', { node: 'worker-1.rack-3.example.com' }],
    ['a one-character node name', { node: 'n' }],
    ['a 253-character node name', { node: `${'a'.repeat(63)}.`.repeat(4).slice(0, 253) }],
    ['the largest timeout (7 days)', { timeoutSeconds: 7 * 24 * 3600 }],
    ['a timeout of 1 second', { timeoutSeconds: 1 }],
  ];
  for (const [name, change] of valid) {
    it(`accepts ${name}`, () => {
      assert.deepEqual(parseDrainInput({ ...base, ...change }), {
        ...base,
        ...DRAIN_DEFAULTS,
        ...change,
      });
    });
  }

  const bad: { name: string; input: unknown; field: string; reason?: RegExp }[] = [
    { name: 'null input', input: null, field: 'cluster', reason: /^is required$/ },
    { name: 'undefined input', input: undefined, field: 'cluster', reason: /^is required$/ },
    { name: 'a non-object input', input: 'lab/worker-1', field: 'input' },
    { name: 'missing cluster', input: { node: 'worker-1' }, field: 'cluster', reason: /required/ },
    { name: 'missing node', input: { cluster: 'lab' }, field: 'node', reason: /^is required$/ },
    { name: 'uppercase cluster', input: { ...base, cluster: 'Lab' }, field: 'cluster' },
    { name: 'cluster with a slash', input: { ...base, cluster: 'lab/x' }, field: 'cluster' },
    { name: 'cluster ending in a dash', input: { ...base, cluster: 'lab-' }, field: 'cluster' },
    {
      name: 'cluster of 64 characters',
      input: { ...base, cluster: 'a'.repeat(64) },
      field: 'cluster',
    },
    { name: 'empty cluster', input: { ...base, cluster: '' }, field: 'cluster' },
    {
      name: 'uppercase node',
      input: { ...base, node: 'Worker-1' },
      field: 'node',
      reason: /node name/,
    },
    { name: 'node with an underscore', input: { ...base, node: 'worker_1' }, field: 'node' },
    { name: 'node starting with a dot', input: { ...base, node: '.worker' }, field: 'node' },
    { name: 'empty node', input: { ...base, node: '' }, field: 'node' },
    {
      name: 'node longer than 253 characters',
      input: { ...base, node: 'a'.repeat(254) },
      field: 'node',
      reason: /253/,
    },
    { name: 'numeric node', input: { ...base, node: 7 }, field: 'node' },
    {
      name: 'negative timeoutSeconds',
      input: { ...base, timeoutSeconds: -1 },
      field: 'timeoutSeconds',
      reason: /greater than 0/,
    },
    {
      name: 'zero timeoutSeconds',
      input: { ...base, timeoutSeconds: 0 },
      field: 'timeoutSeconds',
      reason: /greater than 0/,
    },
    {
      name: 'fractional timeoutSeconds',
      input: { ...base, timeoutSeconds: 1.5 },
      field: 'timeoutSeconds',
      reason: /whole number/,
    },
    {
      name: 'timeoutSeconds over 7 days',
      input: { ...base, timeoutSeconds: 7 * 24 * 3600 + 1 },
      field: 'timeoutSeconds',
      reason: /at most 604800/,
    },
    {
      name: 'string timeoutSeconds',
      input: { ...base, timeoutSeconds: '60' },
      field: 'timeoutSeconds',
    },
    {
      name: 'an unknown extra key',
      input: { ...base, gracePeriod: 30 },
      field: 'gracePeriod',
      reason: /^is not a known field$/,
    },
    {
      name: 'non-boolean force',
      input: { ...base, force: 'yes' },
      field: 'force',
      reason: /boolean/,
    },
    {
      name: 'non-boolean deleteEmptyDirData',
      input: { ...base, deleteEmptyDirData: 1 },
      field: 'deleteEmptyDirData',
      reason: /boolean/,
    },
  ];
  for (const { name, input, field, reason } of bad) {
    it(`refuses ${name} (field ${field})`, () => {
      const got = invalid(() => parseDrainInput(input), field);
      if (reason) assert.match(got, reason);
    });
  }
});

describe('parseUncordonInput', () => {
  it('defaults force to false', () => {
    assert.deepEqual(parseUncordonInput(base), { ...base, force: false });
  });

  it('keeps force', () => {
    assert.deepEqual(parseUncordonInput({ ...base, force: true }), { ...base, force: true });
  });

  const bad: { name: string; input: unknown; field: string }[] = [
    { name: 'null input', input: null, field: 'cluster' },
    { name: 'missing node', input: { cluster: 'lab' }, field: 'node' },
    { name: 'uppercase node', input: { ...base, node: 'WORKER' }, field: 'node' },
    { name: 'bad cluster name', input: { ...base, cluster: 'my_lab' }, field: 'cluster' },
    { name: 'non-boolean force', input: { ...base, force: 'true' }, field: 'force' },
    // timeoutSeconds belongs to drains only.
    { name: 'a drain option', input: { ...base, timeoutSeconds: 60 }, field: 'timeoutSeconds' },
  ];
  for (const { name, input, field } of bad) {
    it(`refuses ${name} (field ${field})`, () => {
      invalid(() => parseUncordonInput(input), field);
    });
  }
});
