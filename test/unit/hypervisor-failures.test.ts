import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evictionLimit,
  judgeHosts,
  parseThreshold,
  type ComputeHostState,
  type DownStreaks,
  type PartitionThreshold,
} from '../../workflows/policy/hypervisor-failures';

/** "u" up, "d" down and enabled, "x" down and disabled; hosts hv-1.. in zones a (odd) and b (even). */
const hosts = (spec: string): ComputeHostState[] =>
  [...spec].map((c, i) => ({
    host: `hv-${i + 1}`,
    zone: i % 2 === 0 ? 'a' : 'b',
    state: c === 'u' ? 'up' : 'down',
    status: c === 'x' ? 'disabled' : 'enabled',
  }));

describe('parseThreshold', () => {
  const good: [string | number, PartitionThreshold][] = [
    ['2', { count: 2 }],
    [3, { count: 3 }],
    ['25%', { percent: 25 }],
    [' 100% ', { percent: 100 }],
  ];
  for (const [text, expected] of good)
    it(`${JSON.stringify(text)} is ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parseThreshold(text), expected));
  for (const bad of ['0', 0, '0%', '101%', '-1', '1.5', 'half', ''])
    it(`${JSON.stringify(bad)} is refused`, () => assert.throws(() => parseThreshold(bad)));
});

describe('evictionLimit: the stricter of count and percent, a percentage at least 1', () => {
  const cases: [number, PartitionThreshold, number][] = [
    [4, { count: 2, percent: 25 }, 1],
    [6, { count: 2, percent: 25 }, 1],
    [8, { count: 2, percent: 25 }, 2],
    [40, { count: 2, percent: 25 }, 2],
    [40, { percent: 25 }, 10],
    [3, { percent: 10 }, 1],
    [10, { count: 3 }, 3],
    [10, {}, Infinity],
  ];
  for (const [total, threshold, limit] of cases)
    it(`${JSON.stringify(threshold)} of ${total} hosts: ${limit}`, () =>
      assert.equal(evictionLimit(total, threshold), limit));
});

describe('judgeHosts', () => {
  interface Case {
    name: string;
    spec: string;
    previous?: DownStreaks;
    gracePolls?: number;
    threshold?: PartitionThreshold;
    maintenance?: string[];
    evict: string[];
    waiting?: string[];
    partitions?: string[];
  }
  const cases: Case[] = [
    { name: 'all up: nothing', spec: 'uuuu', evict: [] },
    {
      name: 'first poll down: waits out the grace',
      spec: 'duuu',
      gracePolls: 3,
      evict: [],
      waiting: ['hv-1:1'],
    },
    {
      name: 'down for the whole grace: evicted',
      spec: 'duuu',
      previous: { 'hv-1': 2 },
      gracePolls: 3,
      evict: ['hv-1'],
    },
    { name: 'grace 1: at once', spec: 'uduu', gracePolls: 1, evict: ['hv-2'] },
    { name: 'back up: the streak is gone', spec: 'uuuu', previous: { 'hv-1': 2 }, evict: [] },
    {
      name: 'disabled (being evicted, or by an operator): not failed',
      spec: 'xuuu',
      previous: { 'hv-1': 5 },
      evict: [],
    },
    {
      name: 'in maintenance: neither failed nor counted',
      spec: 'duuu',
      previous: { 'hv-1': 5 },
      maintenance: ['hv-1'],
      evict: [],
    },
    {
      name: 'half of 4 down at once (default threshold): a partition, nothing evicted',
      spec: 'dduu',
      previous: { 'hv-1': 5, 'hv-2': 5 },
      evict: [],
      partitions: ['region:hv-1,hv-2/1'],
    },
    {
      name: 'hosts still in grace count towards the partition',
      spec: 'dduu',
      previous: { 'hv-1': 5 },
      evict: [],
      partitions: ['region:hv-1,hv-2/1'],
    },
    {
      name: 'count 2 of 8 (25% = 2): two evicted',
      spec: 'dduuuuuu',
      previous: { 'hv-1': 2, 'hv-2': 2 },
      evict: ['hv-1', 'hv-2'],
    },
    {
      name: 'three of 8: above the limit',
      spec: 'ddduuuuu',
      previous: { 'hv-1': 2, 'hv-2': 2, 'hv-3': 2 },
      evict: [],
      partitions: ['region:hv-1,hv-2,hv-3/2'],
    },
    {
      name: 'per zone: a partition in zone a does not stop zone b',
      spec: 'dudddu',
      previous: { 'hv-1': 2, 'hv-3': 2, 'hv-4': 2, 'hv-5': 2 },
      threshold: { count: 1, scope: 'zone' },
      evict: ['hv-4'],
      partitions: ['a:hv-1,hv-3,hv-5/1'],
    },
    {
      name: 'a threshold of 100% never trips',
      spec: 'dddd',
      previous: { 'hv-1': 2, 'hv-2': 2, 'hv-3': 2, 'hv-4': 2 },
      threshold: { percent: 100 },
      evict: ['hv-1', 'hv-2', 'hv-3', 'hv-4'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = judgeHosts(hosts(c.spec), c.previous ?? {}, {
        gracePolls: c.gracePolls ?? 2,
        threshold: c.threshold,
        maintenance: c.maintenance,
      });
      assert.deepEqual(verdict.evict, c.evict);
      assert.deepEqual(
        verdict.waiting.map((w) => `${w.host}:${w.polls}`),
        c.waiting ?? [],
      );
      assert.deepEqual(
        verdict.partitions.map((p) => `${p.scope}:${p.failed.join(',')}/${p.limit}`),
        c.partitions ?? [],
      );
    });
  }

  it('streaks count consecutive polls and forget hosts that came back', () => {
    const opts = { gracePolls: 3 };
    let streaks: DownStreaks = {};
    streaks = judgeHosts(hosts('duuu'), streaks, opts).streaks;
    streaks = judgeHosts(hosts('duuu'), streaks, opts).streaks;
    assert.deepEqual(streaks, { 'hv-1': 2 });
    const third = judgeHosts(hosts('duuu'), streaks, opts);
    assert.deepEqual(third.evict, ['hv-1']);
    assert.deepEqual(judgeHosts(hosts('uuuu'), third.streaks, opts).streaks, {});
  });

  it('polls spent in a partition do not count towards the grace: the last host back waits it out', () => {
    const opts = { gracePolls: 2 };
    let verdict = judgeHosts(hosts('dduu'), { 'hv-1': 4, 'hv-2': 4 }, opts);
    assert.deepEqual(verdict.streaks, { 'hv-1': 0, 'hv-2': 0 });
    verdict = judgeHosts(hosts('uduu'), verdict.streaks, opts);
    assert.deepEqual([verdict.evict, verdict.waiting], [[], [{ host: 'hv-2', polls: 1 }]]);
    assert.deepEqual(judgeHosts(hosts('uduu'), verdict.streaks, opts).evict, ['hv-2']);
  });
});
