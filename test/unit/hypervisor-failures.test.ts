import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describePartition,
  evictedWithin,
  evictionDisableReason,
  evictionLimit,
  evictionOf,
  judgeEviction,
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

describe('the threshold counts hosts evicted within the window', () => {
  const opts = { gracePolls: 1 };
  it('4 hosts, hv-1 evicted (disabled), hv-2 fails: a partition, hv-2 not evicted', () => {
    const verdict = judgeHosts(hosts('xduu'), {}, { ...opts, evicted: ['hv-1'] });
    assert.deepEqual(verdict.evict, []);
    assert.deepEqual(
      verdict.partitions.map((p) => [p.failed, p.evicted, p.limit]),
      [[['hv-1', 'hv-2'], ['hv-1'], 1]],
    );
    assert.equal(
      describePartition(verdict.partitions[0], 60),
      '2 of 4 hypervisors down or evicted within 60 min in region (hv-1 evicted, hv-2), more than the 1 allowed',
    );
    // The evicted host gets no streak: it is not failing now.
    assert.deepEqual(verdict.streaks, { 'hv-2': 0 });
  });
  it('a host still being evicted (failing, and recorded) counts once', () => {
    const verdict = judgeHosts(hosts('duuu'), {}, { ...opts, evicted: ['hv-1'] });
    assert.deepEqual([verdict.evict, verdict.partitions], [['hv-1'], []]);
  });
  it('8 hosts, limit 2: one evicted and one failing is within it', () => {
    const verdict = judgeHosts(hosts('xduuuuuu'), {}, { ...opts, evicted: ['hv-1'] });
    assert.deepEqual([verdict.evict, verdict.partitions], [['hv-2'], []]);
  });
  it('per zone: an eviction counts in its own zone only', () => {
    const verdict = judgeHosts(
      hosts('xuuduu'),
      {},
      { ...opts, evicted: ['hv-1'], threshold: { count: 1, scope: 'zone' } },
    );
    assert.deepEqual([verdict.evict, verdict.partitions], [['hv-4'], []]);
  });
  it('without evictions in the window the old judgement holds', () =>
    assert.deepEqual(judgeHosts(hosts('xduu'), {}, opts).evict, ['hv-2']));
});

describe('evictionOf and evictedWithin', () => {
  const at = '2026-12-07T07:00:00.000Z';
  const reason = evictionDisableReason('evict/lab/hv-1', at);
  const service = (disabledReason: string | null, status: 'enabled' | 'disabled' = 'disabled') => ({
    host: 'hv-1',
    status,
    disabledReason,
  });
  it("Steward's eviction reason records the host and the time; it ends as disabledBySteward expects", () => {
    assert.deepEqual(evictionOf(service(reason)), { host: 'hv-1', at });
    assert.match(reason, / by Steward \(evict\/lab\/hv-1\)$/);
  });
  const others: [string, string | null, 'enabled' | 'disabled'][] = [
    ["a person's reason", 'RMA 4711', 'disabled'],
    ['no reason', null, 'disabled'],
    ["a reinstall's", 'reinstall by Steward (reinstall/hv-1)', 'disabled'],
    ['a person quoting Steward', `${reason} and then RMA`, 'disabled'],
    ['enabled again', reason, 'enabled'],
  ];
  for (const [name, r, status] of others)
    it(`${name}: no eviction`, () => assert.equal(evictionOf(service(r, status)), undefined));

  it('keeps the latest of each host within the window, oldest first', () => {
    const now = Date.parse('2026-12-07T08:00:00Z');
    const records = [
      { host: 'hv-1', at: '2026-12-07T06:59:59Z' },
      { host: 'hv-2', at: '2026-12-07T07:30:00Z' },
      { host: 'hv-3', at: '2026-12-07T07:10:00Z' },
      { host: 'hv-3', at: '2026-12-07T07:20:00Z' },
    ];
    assert.deepEqual(evictedWithin(records, now, 60), [
      { host: 'hv-3', at: '2026-12-07T07:20:00Z' },
      { host: 'hv-2', at: '2026-12-07T07:30:00Z' },
    ]);
    assert.deepEqual(
      evictedWithin(records, now, 30).map((r) => r.host),
      ['hv-2'],
    );
  });
});

describe('judgeEviction: one host, as an eviction started by hand judges itself', () => {
  const threshold = { count: 2, percent: 25 };
  it('alone in 4: allowed', () =>
    assert.equal(judgeEviction('hv-2', hosts('uduu'), [], threshold), undefined));
  it('a person disabled it (down, disabled): counted as failing, allowed alone', () =>
    assert.equal(judgeEviction('hv-1', hosts('xuuu'), [], threshold), undefined));
  it('another evicted within the window: refused, naming both', () => {
    const p = judgeEviction('hv-2', hosts('xduu'), ['hv-1'], threshold);
    assert.deepEqual(
      [p?.failed, p?.evicted, p?.total, p?.limit],
      [['hv-1', 'hv-2'], ['hv-1'], 4, 1],
    );
  });
  it('another failing now: refused', () =>
    assert.deepEqual(judgeEviction('hv-2', hosts('dduu'), [], threshold)?.failed, [
      'hv-1',
      'hv-2',
    ]));
  it('a threshold of 3 hosts, given by the operator: allowed', () =>
    assert.equal(judgeEviction('hv-3', hosts('xxdu'), ['hv-1', 'hv-2'], { count: 3 }), undefined));
});
