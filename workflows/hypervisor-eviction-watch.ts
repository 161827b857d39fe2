// hypervisorEvictionWatch: polls a region's compute services on a durable timer and starts one
// hypervisorEviction per host failed for the whole grace, unless the hosts failing now plus those
// evicted within the window exceed the partition threshold. It never fails on an outage of Nova
// or Keystone (it says nova-unreachable and polls on); evictions are ABANDONed to outlive it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { continueAsNew, ParentClosePolicy, sleep, startChild } from '@temporalio/workflow';
import type { ComputeService } from '../activities/openstack/nova';
import {
  hypervisorEvictionWatchStatusQuery,
  workflowIds,
  type HypervisorEvictionWatchCarried,
  type HypervisorEvictionWatchInput,
  type HypervisorEvictionWatchStatus,
} from './api';
import { activityProblem, isInvalidInput } from './activity-errors';
import type { hypervisorEviction } from './hypervisor-eviction';
import { notifyOperators } from './notifications';
import { planReads as poll } from './operation/activity-profiles';
import { historyFull } from './operation/history';
import { Operation } from './operation/operation';
import { bulletList } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import {
  describeThreshold,
  parseEvictionWatchInput,
  partitionThreshold,
  type EvictionWatchRequest,
} from './policy/hypervisor-eviction-input';
import {
  describePartition,
  evictedWithin,
  evictionOf,
  judgeHosts,
  type EvictionRecord,
  type FailureVerdict,
} from './policy/hypervisor-failures';
import { describeOutage } from './policy/outage-wait';
import { autoUpgrade } from './operation/versioning';

// Never ends: it moves to the current build at its next task (the evictions it starts are pinned).
autoUpgrade(hypervisorEvictionWatch);

export async function hypervisorEvictionWatch(
  rawInput: HypervisorEvictionWatchInput,
  carried?: HypervisorEvictionWatchCarried,
): Promise<never> {
  const input = parseEvictionWatchInput(rawInput);
  requireWorkflowId(workflowIds.evictWatch(input.region), 'one watch runs per region');
  const watch = new EvictionWatch(input, carried);
  const runPolls = carried?.continueAsNewAfterPolls ?? 500;
  for (let n = 0; ; n++) {
    if (n >= runPolls || historyFull())
      await continueAsNew<typeof hypervisorEvictionWatch>(rawInput, watch.carried());
    await watch.poll();
    await sleep(input.intervalSeconds * 1000);
  }
}

class EvictionWatch {
  private readonly status: HypervisorEvictionWatchStatus;
  private readonly op: Operation<HypervisorEvictionWatchStatus>;
  private streaks: Record<string, number>;
  private started: string[];
  /** The evictions this watch started, and when: they count against the threshold. */
  private evictions: EvictionRecord[];
  /** When Nova stopped answering, while it does not. */
  private unreachableSince?: number;

  constructor(
    private readonly input: EvictionWatchRequest,
    private readonly from: HypervisorEvictionWatchCarried | undefined,
  ) {
    const { region } = input;
    this.streaks = from?.streaks ?? {};
    this.started = from?.started ?? [];
    this.evictions = from?.evictions ?? [];
    this.status = {
      region,
      polls: from?.polls ?? 0,
      hosts: 0,
      waiting: [],
      evicting: this.started,
      threshold: `${describeThreshold(partitionThreshold(input))}, an eviction counted for ${input.failureWindowMinutes} min`,
      startedThisRun: [],
      recentEvictions: [],
      partition: from?.partition,
      novaUnreachable: from?.novaUnreachable,
      decisions: [],
    };
    this.op = new Operation(this.status, {
      kind: 'evict-watch',
      cluster: region,
      target: region,
      query: hypervisorEvictionWatchStatusQuery,
      title: () =>
        `**Eviction watch ${region}**: ${this.status.hosts} hypervisors, poll ${this.status.polls} every ${input.intervalSeconds}s, grace ${input.gracePolls} polls, threshold ${this.status.threshold}`,
      details: () => this.details(),
      phase: () =>
        this.status.novaUnreachable
          ? 'nova-unreachable'
          : this.status.partition
            ? 'partition-suspected'
            : 'watching',
    });
    this.op.show();
  }

  carried(): HypervisorEvictionWatchCarried {
    return {
      streaks: this.streaks,
      started: this.started,
      evictions: this.evictions,
      polls: this.status.polls,
      partition: this.status.partition,
      novaUnreachable: this.status.novaUnreachable,
      continueAsNewAfterPolls: this.from?.continueAsNewAfterPolls,
    };
  }

  /** One poll: read, judge, start what is to be evicted; an unreachable Nova is reported. */
  async poll(): Promise<void> {
    this.status.polls++;
    this.status.lastPollAt = new Date().toISOString();
    const services = await this.read();
    if (services) {
      const verdict = this.judge(services);
      this.report(verdict);
      await this.startEvictions(verdict.evict);
    }
    this.op.show();
  }

  /** The region's compute services, or undefined while Nova or Keystone does not answer. */
  private async read(): Promise<ComputeService[] | undefined> {
    try {
      const services = await poll.listComputeServices({ region: this.input.region });
      this.unreachable(undefined);
      return services;
    } catch (err) {
      // A region the worker does not know is bad input; anything else is waited out.
      if (isInvalidInput(err)) throw err.cause;
      this.unreachable(activityProblem(err));
      return undefined;
    }
  }

  private unreachable(problem: string | undefined): void {
    const before = this.status.novaUnreachable;
    if (problem === undefined) {
      this.unreachableSince = undefined;
      this.status.novaUnreachable = undefined;
      if (before)
        void notifyOperators({
          kind: 'alert',
          reason: `Nova answers again in ${this.input.region}`,
        });
      return;
    }
    this.unreachableSince ??= Date.now();
    this.status.novaUnreachable = describeOutage('Nova', problem, this.unreachableSince);
    if (!before)
      void notifyOperators({
        kind: 'alert',
        reason: `Nova unreachable in ${this.input.region}, evicting nothing: ${this.status.novaUnreachable}`,
      });
  }

  private judge(services: ComputeService[]): FailureVerdict {
    const { gracePolls, failureWindowMinutes } = this.input;
    const inNova = services.flatMap((s) => evictionOf(s) ?? []);
    this.evictions = evictedWithin(
      [...this.evictions, ...inNova],
      Date.now(),
      failureWindowMinutes,
    );
    const verdict = judgeHosts(services, this.streaks, {
      gracePolls,
      threshold: partitionThreshold(this.input),
      evicted: this.evictions.map((e) => e.host),
    });
    this.streaks = verdict.streaks;
    // A host that is no longer failing (back up, or disabled by its eviction) may fail again later.
    this.started = this.started.filter((h) => h in this.streaks);
    Object.assign(this.status, {
      hosts: services.length,
      waiting: verdict.waiting,
      recentEvictions: this.evictions,
    });
    return verdict;
  }

  /** The partition into the status; operators hear when one starts and when it is over. */
  private report(verdict: FailureVerdict): void {
    const { region, failureWindowMinutes } = this.input;
    const before = this.status.partition;
    const now =
      verdict.partitions.length > 0
        ? verdict.partitions.map((p) => describePartition(p, failureWindowMinutes)).join('; ')
        : undefined;
    this.status.partition = now;
    if (now !== undefined && before === undefined)
      void notifyOperators({
        kind: 'alert',
        reason: `partition suspected in ${region}, evicting nothing: ${now}`,
      });
    else if (now === undefined && before !== undefined)
      void notifyOperators({ kind: 'alert', reason: `partition over in ${region}: ${before}` });
  }

  /** Each under its derived ID: one already running (started by hand) is taken as fine. */
  private async startEvictions(hosts: string[]): Promise<void> {
    const { region, concurrency, threshold, thresholdScope, failureWindowMinutes } = this.input;
    for (const host of hosts.filter((h) => !this.started.includes(h))) {
      try {
        await startChild<typeof hypervisorEviction>('hypervisorEviction', {
          workflowId: workflowIds.evict(region, host),
          staticSummary: `Evict failed hypervisor ${host} in ${region}, started by its watch`,
          args: [{ region, host, concurrency, threshold, thresholdScope, failureWindowMinutes }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        this.status.startedThisRun.push(host);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      this.started = [...this.started, host];
      this.evictions = [...this.evictions, { host, at: new Date().toISOString() }];
    }
    this.status.evicting = this.started;
    this.status.recentEvictions = this.evictions;
  }

  private details(): string[] {
    const { partition, novaUnreachable, waiting, evicting, recentEvictions } = this.status;
    return [
      novaUnreachable ? `**Nova unreachable, evicting nothing:** ${novaUnreachable}` : '',
      partition ? `**Partition suspected, evicting nothing:** ${partition}` : 'No partition.',
      waiting.length > 0
        ? `In grace:\n${bulletList(waiting.map((w) => `${w.host}: ${w.polls} of ${this.input.gracePolls} polls`))}`
        : '',
      evicting.length > 0 ? `Evicting:\n${bulletList(evicting)}` : '',
      recentEvictions.length > 0
        ? `Evicted within ${this.input.failureWindowMinutes} min (counted):\n${bulletList(recentEvictions.map((e) => `${e.host} at ${e.at}`))}`
        : '',
    ].filter(Boolean);
  }
}
