// Which hypervisors count as failed, and when too many have failed at once to evict any. A host
// counts as failed when its compute service is down, enabled (Steward disables what it evicts)
// and not in maintenance, for `gracePolls` consecutive polls outside a partition. Above the
// partition threshold (in the region, or in each availability zone) nothing is evicted: a control
// plane that lost sight of many hosts at once is more likely cut off than they are all dead, and
// evacuating instances from hosts that still run them corrupts their disks.

export interface ComputeHostState {
  host: string;
  /** The availability zone; the threshold may apply per zone. */
  zone: string;
  state: 'up' | 'down';
  status: 'enabled' | 'disabled';
}

/** Consecutive polls each host has been seen failed; kept by the watch from poll to poll. */
export type DownStreaks = Record<string, number>;

export interface PartitionThreshold {
  /** At most this many failed hosts at once are evicted. */
  count?: number;
  /** At most this share of the hosts (rounded down, at least 1) are evicted. */
  percent?: number;
  /** Count per availability zone (`zone`) or over the whole region (default). */
  scope?: 'region' | 'zone';
}

/** On by default: at most 2 hosts and at most 25% of them. */
export const DEFAULT_THRESHOLD: Required<PartitionThreshold> = {
  count: 2,
  percent: 25,
  scope: 'region',
};

export interface Partition {
  /** `region`, or the zone's name. */
  scope: string;
  failed: string[];
  total: number;
  limit: number;
}

export interface FailureVerdict {
  streaks: DownStreaks;
  /** Failed for the whole grace and within the threshold: to be evicted. */
  evict: string[];
  /** Failed, but not yet for the whole grace: host and polls seen so far. */
  waiting: { host: string; polls: number }[];
  /** Scopes above the threshold: nothing in them is evicted. */
  partitions: Partition[];
}

/**
 * "2" (hosts) or "25%" (of the hosts); a threshold of 0 would evict nothing ever and is refused.
 * Throws a reason for anything else.
 */
export function parseThreshold(
  text: string | number,
): Pick<PartitionThreshold, 'count' | 'percent'> {
  const raw = String(text).trim();
  const percent = /^(\d+)%$/.exec(raw);
  if (percent) {
    const p = Number(percent[1]);
    if (p < 1 || p > 100) throw new Error('must be a percentage from 1% to 100%');
    return { percent: p };
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new Error('must be a whole number above 0 or a percentage such as 25%');
  return { count: Number(raw) };
}

/** How many failed hosts of `total` may be evicted at once: the stricter of count and percent. */
export function evictionLimit(total: number, threshold: PartitionThreshold): number {
  const limits: number[] = [];
  if (threshold.count !== undefined) limits.push(threshold.count);
  if (threshold.percent !== undefined)
    limits.push(Math.max(1, Math.floor((total * threshold.percent) / 100)));
  return limits.length > 0 ? Math.min(...limits) : Infinity;
}

/**
 * One poll: updates the streaks and decides. `maintenance` names hosts already taken out (being
 * evicted, or in maintenance in the inventory); they neither fail nor count.
 */
export function judgeHosts(
  hosts: ComputeHostState[],
  previous: DownStreaks,
  {
    gracePolls,
    threshold = DEFAULT_THRESHOLD,
    maintenance = [],
  }: { gracePolls: number; threshold?: PartitionThreshold; maintenance?: string[] },
): FailureVerdict {
  const counted = hosts.filter((h) => !maintenance.includes(h.host));
  const failing = counted.filter((h) => h.state === 'down' && h.status === 'enabled');
  const streaks: DownStreaks = Object.fromEntries(
    failing.map((h) => [h.host, (previous[h.host] ?? 0) + 1]),
  );
  const scopeOf = (h: ComputeHostState) => (threshold.scope === 'zone' ? h.zone : 'region');
  const partitions: Partition[] = [];
  for (const scope of [...new Set(counted.map(scopeOf))].sort()) {
    const inScope = counted.filter((h) => scopeOf(h) === scope);
    // Every host failing now counts, in grace or not: a partition shows up over a few polls.
    const failed = failing
      .filter((h) => scopeOf(h) === scope)
      .map((h) => h.host)
      .sort();
    const limit = evictionLimit(inScope.length, threshold);
    if (failed.length > limit) partitions.push({ scope, failed, total: inScope.length, limit });
  }
  const partitioned = new Set(partitions.flatMap((p) => p.failed));
  // The grace must pass outside a partition: when the hosts return one by one, the last ones
  // back are not evicted for polls they spent in it.
  for (const host of partitioned) streaks[host] = 0;
  const evict: string[] = [];
  const waiting: FailureVerdict['waiting'] = [];
  for (const h of failing) {
    if (partitioned.has(h.host)) continue;
    if (streaks[h.host] >= gracePolls) evict.push(h.host);
    else waiting.push({ host: h.host, polls: streaks[h.host] });
  }
  return { streaks, evict: evict.sort(), waiting, partitions };
}
