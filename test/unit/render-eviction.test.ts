// What `steward status` and `steward evict --dry-run` print about evictions: an unreachable Nova,
// the evictions counted against the threshold, and a dry run the threshold would refuse.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderEvictionPlan, renderEvictionWatchStatus } from '../../cli/render';
import type { HypervisorEvictionPlan, HypervisorEvictionWatchStatus } from '../../workflows/api';

const watch: HypervisorEvictionWatchStatus = {
  region: 'lab',
  polls: 12,
  hosts: 4,
  waiting: [],
  evicting: [],
  threshold: 'at most 2 hosts and 25% of the hosts per region, an eviction counted for 60 min',
  startedThisRun: ['hv-1'],
  recentEvictions: [{ host: 'hv-1', at: '2026-12-07T10:42:13.000Z' }],
  decisions: [],
};

describe('renderEvictionWatchStatus', () => {
  it('says Nova is unreachable and that nothing is evicted meanwhile', () =>
    assert.match(
      renderEvictionWatchStatus({
        ...watch,
        novaUnreachable: 'Nova (HTTP 503 since 10:42:13)',
      }),
      /NOVA UNREACHABLE, evicting nothing: Nova \(HTTP 503 since 10:42:13\)/,
    ));

  it('lists the evictions that count against the threshold', () =>
    assert.match(
      renderEvictionWatchStatus(watch),
      /evicted at 2026-12-07T10:42:13.000Z: hv-1 \(counts against the threshold\)/,
    ));
});

describe('renderEvictionPlan', () => {
  const plan: HypervisorEvictionPlan = {
    region: 'lab',
    host: 'hv-2',
    service: { state: 'down', status: 'enabled', forcedDown: false },
    wouldEvict: false,
    overThreshold:
      '2 of 4 hypervisors down or evicted within 60 min in region (hv-1 evicted, hv-2), more than the 1 allowed',
    bmc: 'hv-2-bmc',
    bmcSerial: 'SN-2',
    power: 'on',
    instances: [],
  };

  it('a host the threshold would refuse: says so, with the counts', () => {
    const text = renderEvictionPlan(plan);
    assert.match(text, /nova-compute down, enabled: down, but REFUSED/);
    assert.match(text, /threshold +2 of 4 hypervisors down or evicted within 60 min/);
  });
});
