import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  describeThreshold,
  parseEvictionInput,
  parseEvictionWatchInput,
  partitionThreshold,
} from '../../workflows/policy/hypervisor-eviction-input';

const refused = (parse: () => unknown, field: string) =>
  assert.throws(parse, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal((err.details?.[0] as { field: string }).field, field, err.message);
    assert.equal(err.nonRetryable, true);
    return true;
  });

describe('parseEvictionInput', () => {
  it('fills the defaults, BMC credentials as Vault references of the host', () =>
    assert.deepEqual(parseEvictionInput({ region: 'lab', host: 'hv-1' }), {
      region: 'lab',
      host: 'hv-1',
      concurrency: 4,
      maxAttempts: 3,
      backoffSeconds: 10,
      thresholdScope: 'region',
      failureWindowMinutes: 60,
      bmcCredentials: {
        username: 'vault:secret/data/bmc/hv-1#username',
        password: 'vault:secret/data/bmc/hv-1#password',
      },
    }));
  const bad: [string, object, string][] = [
    ['no host', { region: 'lab' }, 'host'],
    ['a host that is no host name', { region: 'lab', host: 'HV 1' }, 'host'],
    ['a region that is no name', { region: 'Lab!', host: 'hv-1' }, 'region'],
    ['concurrency 0', { region: 'lab', host: 'hv-1', concurrency: 0 }, 'concurrency'],
    ['concurrency 1.5', { region: 'lab', host: 'hv-1', concurrency: 1.5 }, 'concurrency'],
    [
      'a password in clear',
      {
        region: 'lab',
        host: 'hv-1',
        bmcCredentials: { username: 'vault:a#b', password: 'hunter2' },
      },
      'bmcCredentials.password',
    ],
    ['an unknown field', { region: 'lab', host: 'hv-1', force: true }, 'force'],
    ['threshold "half"', { region: 'lab', host: 'hv-1', threshold: 'half' }, 'threshold'],
    [
      'a window of 0',
      { region: 'lab', host: 'hv-1', failureWindowMinutes: 0 },
      'failureWindowMinutes',
    ],
  ];
  for (const [name, input, field] of bad)
    it(`${name}: refused naming ${field}`, () => refused(() => parseEvictionInput(input), field));
});

describe('parseEvictionWatchInput', () => {
  it('defaults: every 30 s, grace 2 polls, at most 2 hosts and 25% per region, evictions counted an hour', () => {
    const parsed = parseEvictionWatchInput({ region: 'lab' });
    assert.deepEqual(parsed, {
      region: 'lab',
      intervalSeconds: 30,
      gracePolls: 2,
      concurrency: 4,
      thresholdScope: 'region',
      failureWindowMinutes: 60,
    });
    assert.deepEqual(partitionThreshold(parsed), { count: 2, percent: 25, scope: 'region' });
    assert.equal(
      describeThreshold(partitionThreshold(parsed)),
      'at most 2 hosts and 25% of the hosts per region',
    );
  });
  const thresholds: [string | number, object][] = [
    ['3', { count: 3, scope: 'region' }],
    [1, { count: 1, scope: 'region' }],
    ['50%', { percent: 50, scope: 'region' }],
  ];
  for (const [threshold, expected] of thresholds)
    it(`threshold ${JSON.stringify(threshold)}`, () =>
      assert.deepEqual(
        partitionThreshold(parseEvictionWatchInput({ region: 'lab', threshold })),
        expected,
      ));
  it('threshold per zone', () =>
    assert.equal(
      partitionThreshold(
        parseEvictionWatchInput({ region: 'lab', threshold: '2', thresholdScope: 'zone' }),
      ).scope,
      'zone',
    ));
  const bad: [string, object, string][] = [
    ['threshold 0', { region: 'lab', threshold: 0 }, 'threshold'],
    ['threshold "0%"', { region: 'lab', threshold: '0%' }, 'threshold'],
    ['threshold "two"', { region: 'lab', threshold: 'two' }, 'threshold'],
    ['interval 0', { region: 'lab', intervalSeconds: 0 }, 'intervalSeconds'],
    ['grace 0', { region: 'lab', gracePolls: 0 }, 'gracePolls'],
    ['a window of 1.5 min', { region: 'lab', failureWindowMinutes: 1.5 }, 'failureWindowMinutes'],
    ['scope "rack"', { region: 'lab', thresholdScope: 'rack' }, 'thresholdScope'],
    ['no region', {}, 'region'],
  ];
  for (const [name, input, field] of bad)
    it(`${name}: refused naming ${field}`, () =>
      refused(() => parseEvictionWatchInput(input), field));
});
