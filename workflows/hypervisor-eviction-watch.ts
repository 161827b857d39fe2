// hypervisorEvictionWatch: polls a region's compute services on a durable timer and starts one
// hypervisorEviction per host that has failed for the whole grace, under its derived ID (a second
// start of a running one is refused by Temporal, and taken as fine). Above the partition
// threshold it evicts nothing, says so in its query, the StewardPhase search attribute, its
// current details and an alert to the operators' webhook, and judges again at the next poll. It continues as new now and then, carrying
// the grace counters and the hosts it started; evictions are ABANDONed so they outlive that.
import { planReads as poll } from './operation/activity-profiles';
import {
  continueAsNew,
  ParentClosePolicy,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  hypervisorEvictionWatchStatusQuery,
  invalidInput,
  workflowIds,
  type HypervisorEvictionWatchCarried,
  type HypervisorEvictionWatchInput,
  type HypervisorEvictionWatchStatus,
} from './api';
import { surfaceInvalidInput } from './activity-errors';
import type { hypervisorEviction } from './hypervisor-eviction';
import {
  describeThreshold,
  parseEvictionWatchInput,
  watchThreshold,
} from './policy/eviction-input';
import { notifyOperators } from './notifications';
import { judgeHosts } from './policy/hypervisor-failures';
import { announce, bulletList, showPhase } from './operation/visibility';

export async function hypervisorEvictionWatch(
  rawInput: HypervisorEvictionWatchInput,
  carried?: HypervisorEvictionWatchCarried,
): Promise<never> {
  const input = parseEvictionWatchInput(rawInput);
  const { region } = input;
  const threshold = watchThreshold(input);
  const workflowId = workflowIds.evictWatch(region);
  if (workflowInfo().workflowId !== workflowId)
    throw invalidInput('workflowId', `must be "${workflowId}" so that one watch runs per region`);

  let streaks = carried?.streaks ?? {};
  let started = carried?.started ?? [];
  const status: HypervisorEvictionWatchStatus = {
    region,
    polls: carried?.polls ?? 0,
    hosts: 0,
    waiting: [],
    evicting: started,
    threshold: describeThreshold(threshold),
    startedThisRun: [],
    partition: carried?.partition,
  };
  setHandler(hypervisorEvictionWatchStatusQuery, () => status);
  announce('evict-watch', region, region);
  const show = () =>
    showPhase(
      status.partition ? 'partition-suspected' : 'watching',
      [
        `**Eviction watch ${region}**: ${status.hosts} hypervisors, poll ${status.polls} every ${input.intervalSeconds}s, grace ${input.gracePolls} polls, threshold ${status.threshold}`,
        status.partition
          ? `**Partition suspected, evicting nothing:** ${status.partition}`
          : 'No partition.',
        status.waiting.length > 0
          ? `In grace:\n${bulletList(status.waiting.map((w) => `${w.host}: ${w.polls} of ${input.gracePolls} polls`))}`
          : '',
        status.evicting.length > 0 ? `Evicting:\n${bulletList(status.evicting)}` : '',
      ].join('\n'),
    );
  show();

  const runPolls = carried?.continueAsNewAfterPolls ?? 500;
  for (let n = 0; ; n++) {
    if (n >= runPolls || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof hypervisorEvictionWatch>(rawInput, {
        streaks,
        started,
        polls: status.polls,
        partition: status.partition,
        continueAsNewAfterPolls: carried?.continueAsNewAfterPolls,
      });
    const services = await surfaceInvalidInput(poll.listComputeServices({ region }));
    const verdict = judgeHosts(services, streaks, {
      gracePolls: input.gracePolls,
      threshold,
    });
    streaks = verdict.streaks;
    const failing = new Set(Object.keys(streaks));
    // A host that is no longer failing (back up, or disabled by its eviction) may fail again later.
    started = started.filter((h) => failing.has(h));
    status.polls++;
    status.lastPollAt = new Date().toISOString();
    status.hosts = services.length;
    status.waiting = verdict.waiting;
    const before = status.partition;
    status.partition =
      verdict.partitions.length > 0
        ? verdict.partitions
            .map(
              (p) =>
                `${p.failed.length} of ${p.total} hypervisors down in ${p.scope} (${p.failed.join(', ')}), more than the ${p.limit} allowed`,
            )
            .join('; ')
        : undefined;
    if (status.partition !== undefined && before === undefined) {
      void notifyOperators({
        kind: 'alert',
        reason: `partition suspected in ${region}, evicting nothing: ${status.partition}`,
      });
    } else if (status.partition === undefined && before !== undefined) {
      void notifyOperators({ kind: 'alert', reason: `partition over in ${region}: ${before}` });
    }
    for (const host of verdict.evict.filter((h) => !started.includes(h))) {
      try {
        await startChild<typeof hypervisorEviction>('hypervisorEviction', {
          workflowId: workflowIds.evict(region, host),
          args: [{ region, host, concurrency: input.concurrency }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        status.startedThisRun.push(host);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      started = [...started, host];
    }
    status.evicting = started;
    show();
    await sleep(input.intervalSeconds * 1000);
  }
}
