// Which hypervisors count as failed (compute down, enabled, for the whole grace), and when too many
// have failed to evict any: the hosts failing now plus those Steward evicted within a window (as
// Cluster API's MachineHealthCheck counts machines under remediation), so a failure that spreads
// stops at the threshold. A control plane that lost sight of many hosts is more likely cut off.

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
  /** Failing now, or evicted within the window. */
  failed: string[];
  /** Those of `failed` counted for their eviction within the window (not failing now). */
  evicted: string[];
  total: number;
  limit: number;
}

/** A host Steward evicted, and when (ISO 8601): it counts against the threshold for the window. */
export interface EvictionRecord {
  host: string;
  at: string;
}

/** On by default: an eviction counts against the threshold for an hour. */
export const DEFAULT_FAILURE_WINDOW_MINUTES = 60;

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
 * The disable reason an eviction writes on the host's compute service. It carries the time, so
 * Nova itself keeps the record the threshold counts (`updated_at` moves whenever the service
 * reports, as a host powered on again does).
 */
export const evictionDisableReason = (workflowId: string, at: string): string =>
  `failed ${at}; fenced and evicted by Steward (${workflowId})`;

const EVICTION_REASON =
  /^failed (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z); fenced and evicted by Steward \(evict\/[^()\s]+\)$/;

/** The eviction a disabled compute service's reason records, if an eviction of Steward's wrote it. */
export function evictionOf(service: {
  host: string;
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
}): EvictionRecord | undefined {
  const at = service.status === 'disabled' && EVICTION_REASON.exec(service.disabledReason ?? '');
  return at ? { host: service.host, at: at[1] } : undefined;
}

/** The hosts evicted within the `windowMinutes` before `now` (ms), each once, oldest first. */
export function evictedWithin(
  records: EvictionRecord[],
  now: number,
  windowMinutes: number,
): EvictionRecord[] {
  const latest = new Map<string, EvictionRecord>();
  for (const r of records) {
    const t = Date.parse(r.at);
    if (now - t > windowMinutes * 60_000) continue;
    const seen = latest.get(r.host);
    if (!seen || Date.parse(seen.at) < t) latest.set(r.host, r);
  }
  return [...latest.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Scopes where the hosts failing now plus those evicted within the window exceed the limit. */
function partitionsOf(
  counted: ComputeHostState[],
  failing: Set<string>,
  evicted: Set<string>,
  threshold: PartitionThreshold,
): Partition[] {
  const scopeOf = (h: ComputeHostState) => (threshold.scope === 'zone' ? h.zone : 'region');
  const partitions: Partition[] = [];
  for (const scope of [...new Set(counted.map(scopeOf))].sort()) {
    const inScope = counted.filter((h) => scopeOf(h) === scope);
    // Every host failing now counts, in grace or not: a partition shows up over a few polls.
    const failed = inScope
      .map((h) => h.host)
      .filter((h) => failing.has(h) || evicted.has(h))
      .sort();
    const limit = evictionLimit(inScope.length, threshold);
    if (failed.length > limit)
      partitions.push({
        scope,
        failed,
        evicted: failed.filter((h) => !failing.has(h)),
        total: inScope.length,
        limit,
      });
  }
  return partitions;
}

/**
 * One poll: updates the streaks and decides. `maintenance` names hosts already taken out (in
 * maintenance in the inventory); they neither fail nor count. `evicted` names the hosts Steward
 * evicted within the window: they count against the threshold though disabled.
 */
export function judgeHosts(
  hosts: ComputeHostState[],
  previous: DownStreaks,
  {
    gracePolls,
    threshold = DEFAULT_THRESHOLD,
    maintenance = [],
    evicted = [],
  }: {
    gracePolls: number;
    threshold?: PartitionThreshold;
    maintenance?: string[];
    evicted?: string[];
  },
): FailureVerdict {
  const counted = hosts.filter((h) => !maintenance.includes(h.host));
  const failing = counted.filter((h) => h.state === 'down' && h.status === 'enabled');
  const streaks: DownStreaks = Object.fromEntries(
    failing.map((h) => [h.host, (previous[h.host] ?? 0) + 1]),
  );
  const failingNow = new Set(failing.map((h) => h.host));
  const partitions = partitionsOf(counted, failingNow, new Set(evicted), threshold);
  const partitioned = new Set(partitions.flatMap((p) => p.failed.filter((h) => failingNow.has(h))));
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

/**
 * Whether evicting `host` (confirmed down) now keeps within the threshold, counting it, the other
 * hosts failing now and those evicted within the window: the partition it would exceed, if any.
 */
export function judgeEviction(
  host: string,
  hosts: ComputeHostState[],
  evicted: string[],
  threshold: PartitionThreshold,
): Partition | undefined {
  const asFailing = hosts.map((h) =>
    h.host === host ? { ...h, state: 'down' as const, status: 'enabled' as const } : h,
  );
  const verdict = judgeHosts(asFailing, {}, { gracePolls: 1, threshold, evicted });
  return verdict.partitions.find((p) => p.failed.includes(host));
}

/** "2 of 4 hypervisors down or evicted within 60 min in region (hv-1 evicted, hv-2), more than the 1 allowed" */
export function describePartition(p: Partition, windowMinutes: number): string {
  const what = p.evicted.length > 0 ? `down or evicted within ${windowMinutes} min` : 'down';
  const hosts = p.failed.map((h) => (p.evicted.includes(h) ? `${h} evicted` : h));
  return `${p.failed.length} of ${p.total} hypervisors ${what} in ${p.scope} (${hosts.join(', ')}), more than the ${p.limit} allowed`;
}
