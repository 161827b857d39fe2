// hypervisorEviction: a failed hypervisor emptied without making the outage worse. It is judged
// against the partition threshold (hosts down, or evicted within the window) before anything
// changes and again before each power-off; nothing is evacuated unless the BMC, its serial
// checked, reads the host off right before (after any wait); a person's disable reason is kept.
// The host stays off and disabled.
import type { BmcTarget } from '../activities/bmc/activities';
import type { DeviceFacts } from '../activities/netbox/devices';
import {
  hypervisorEvictionStatusQuery,
  workflowIds,
  type EvictionStep,
  type HypervisorEvictionInput,
  type HypervisorEvictionResult,
  type HypervisorEvictionStatus,
  type InstanceEvacuation,
} from './api';
import { evacuateAll, type Evacuation, type Sizes } from './evacuation';
import { judgeThreshold, readComputeService } from './hypervisor-eviction-reads';
import { fenceCalls as fence, hostCalls as act, summarized } from './operation/activity-profiles';
import { Operation } from './operation/operation';
import { bulletList } from './operation/visibility';
import { requireWorkflowId } from './operation/workflow-id';
import { parseEvictionInput, type EvictionRequest } from './policy/hypervisor-eviction-input';
import { evictionDisableReason } from './policy/hypervisor-failures';
import { locateBmc, readDevice } from './bare-metal-reads';

/** NetBox's status of an evicted host: it needs a person before it serves again. */
export const EVICTED_STATUS = 'failed';

export async function hypervisorEviction(
  rawInput: HypervisorEvictionInput,
): Promise<HypervisorEvictionResult> {
  const input = parseEvictionInput(rawInput);
  requireWorkflowId(workflowIds.evict(input.region, input.host), 'one eviction runs per host');
  return new Eviction(input).run();
}

type Outcome = HypervisorEvictionResult['outcome'];

class Eviction {
  private readonly status: HypervisorEvictionStatus;
  private readonly op: Operation<HypervisorEvictionStatus>;
  private readonly startedAt = Date.now();
  private readonly workflowId: string;
  /** Written on the compute service; its time counts this eviction against the threshold. */
  private readonly reason: string;
  private device?: DeviceFacts;
  private bmc?: BmcTarget;
  private readonly sizes: Sizes = new Map();
  private readonly evacuation: Evacuation;
  /** Set when the re-confirmation or the threshold ends the eviction before any change. */
  private early?: { outcome: Outcome; message: string };

  constructor(private readonly input: EvictionRequest) {
    const { region, host } = input;
    this.workflowId = workflowIds.evict(region, host);
    this.reason = evictionDisableReason(this.workflowId, new Date().toISOString());
    this.status = {
      region,
      host,
      step: 'validating',
      fenced: false,
      instances: [],
      log: [],
      decisions: [],
    };
    this.op = new Operation(this.status, {
      kind: 'evict',
      cluster: region,
      target: host,
      query: hypervisorEvictionStatusQuery,
      title: () =>
        `**Evict ${host}** (${region}): ${this.status.step}${this.status.fenced ? ', fenced' : ''}`,
      details: () => this.details(),
      phase: () => this.status.step,
      onStep: (name) => (this.status.step = name as EvictionStep),
    });
    this.evacuation = {
      ...input,
      fenceHolds: () => this.fenceHolds(),
      show: () => this.op.show(),
      firstRequest: new Map(),
    };
  }

  async run(): Promise<HypervisorEvictionResult> {
    const retryOrAbort = { decisions: ['retry' as const, 'abort' as const] };
    if ((await this.op.runStep('confirming', () => this.confirm(), retryOrAbort)) === 'abort')
      return this.finish(
        'aborted',
        `eviction of ${this.input.host} aborted by an operator: nothing done`,
      );
    if (this.early) return this.finish(this.early.outcome, this.early.message);
    const fencing = { ...retryOrAbort, recheck: () => this.stillToEvict() };
    if ((await this.op.runStep('fencing', () => this.fence(), fencing)) === 'abort')
      return this.finish(
        'aborted',
        `eviction of ${this.input.host} aborted by an operator: the host was not verified off, nothing evacuated`,
      );
    if ((await this.op.runStep('disabling', () => this.disable(), retryOrAbort)) === 'abort')
      return this.record('aborted');
    const evacuated = await this.op.runStep('evacuating', () => this.evacuate(), {
      decisions: ['retry', 'skip', 'abort'],
      recheck: async () => (await this.fenceHolds()) ?? (await this.withinThreshold()),
    });
    if (evacuated === 'skip') for (const i of this.failed()) i.state = 'skipped';
    return this.record(evacuated === 'abort' ? 'aborted' : 'evicted');
  }

  /** Nova sees the compute down, and evicting it keeps within the threshold. */
  private async confirm(): Promise<string | undefined> {
    const { region, host } = this.input;
    const service = await readComputeService(region, host);
    if (service.state === 'up') {
      this.early = {
        outcome: 'not-failed',
        message: `${host}'s nova-compute is up in ${region}: nothing done`,
      };
      return undefined;
    }
    const over = await judgeThreshold(this.input);
    if (over) {
      this.early = {
        outcome: 'refused',
        message: `${over}: ${host} not evicted, nothing done (an operator who judges otherwise gives a higher threshold)`,
      };
      return undefined;
    }
    this.device = await readDevice(host, 'host');
    return this.op.done(
      `Nova: ${host}'s nova-compute is down (${service.status}${service.forcedDown ? ', forced down' : ''})`,
    );
  }

  /**
   * Before every fence attempt, the first included (a worker's crash or a slow read may separate it
   * from the check): Nova still sees the compute down, and the threshold, read again, still allows
   * the eviction.
   */
  private async stillToEvict(): Promise<string | undefined> {
    const { region, host } = this.input;
    const service = await readComputeService(region, host);
    if (service.state === 'up')
      return `${host}'s nova-compute is up again in ${region}: not fenced; abort, or retry if it fails again`;
    const over = await judgeThreshold(this.input);
    return over && `${over}: ${host} not fenced; abort, or retry once fewer hosts are down`;
  }

  /** Before every evacuation attempt: a failure that spread since the fence stops the moves. */
  private async withinThreshold(): Promise<string | undefined> {
    const over = await judgeThreshold(this.input);
    return (
      over &&
      `${over}: nothing (more) evacuated from ${this.input.host}; abort, or retry once fewer hosts are down`
    );
  }

  /** The BMC, proven this host's by its serial, powers it off and reads it back off. */
  private async fence(): Promise<string | undefined> {
    const located = await locateBmc(this.device!);
    this.status.bmc = located.label;
    this.bmc = {
      device: this.input.host,
      serial: this.device!.serial,
      credentials: this.input.bmcCredentials,
      address: located.address,
    };
    const off = await summarized(fence.bmcPowerOff, `fence ${this.input.host}: BMC power off`, {
      bmc: this.bmc,
    });
    const problem = await this.fenceHolds();
    if (problem) return problem;
    this.status.fenced = true;
    return this.op.done(`${off.message}; read back off`);
  }

  /** The fence read again: the BMC (serial checked) says off, else why nothing may be evacuated. */
  private async fenceHolds(): Promise<string | undefined> {
    const { power } = await fence.bmcPowerStatus({ bmc: this.bmc! });
    if (power === 'off') return undefined;
    return `${this.input.host}'s BMC reads power ${power}: the host is not fenced, nothing (more) evacuated; power it off and retry, or abort`;
  }

  private async disable(): Promise<string | undefined> {
    const { region, host } = this.input;
    await act.setComputeServiceForcedDown({ region, host, forcedDown: true });
    const { keptReason, service } = await act.setComputeServiceEnabled({
      region,
      host,
      enabled: false,
      reason: this.reason,
    });
    return this.op.done(
      keptReason
        ? `Nova: ${host}'s nova-compute forced down; it was disabled already: kept the reason a person gave ("${service.disabledReason ?? ''}")`
        : `Nova: ${host}'s nova-compute forced down and disabled ("${this.reason}")`,
    );
  }

  private async evacuate(): Promise<string | undefined> {
    const { region, host } = this.input;
    if (this.sizes.size === 0) await this.listInstances();
    const pending = this.status.instances.filter(
      (i) => i.state !== 'moved' && i.state !== 'skipped',
    );
    const fenceProblem = await evacuateAll(this.evacuation, pending, this.sizes);
    if (fenceProblem) return fenceProblem;
    const failed = this.failed();
    if (failed.length > 0)
      return `${failed.length} of ${this.status.instances.length} instances could not move: ${failed
        .map((i) => `${i.name} (${i.reason})`)
        .join('; ')}`;
    const moved = this.status.instances.filter((i) => i.state === 'moved').length;
    return this.op.done(
      `evacuated ${moved} of ${this.status.instances.length} instances from ${host} in ${region}`,
    );
  }

  private async listInstances(): Promise<void> {
    const servers = await act.listServersOnHost({
      region: this.input.region,
      host: this.input.host,
    });
    for (const s of servers) this.sizes.set(s.id, s);
    this.status.instances = servers.map((s): InstanceEvacuation => ({
      id: s.id,
      name: s.name,
      expectedStatus: s.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE',
      state: 'pending',
      from: this.input.host,
      attempts: 0,
    }));
  }

  private failed(): InstanceEvacuation[] {
    return this.status.instances.filter((i) => i.state === 'failed');
  }

  /** NetBox learns what happened to the host; the host stays off and its service disabled. */
  private async record(outcome: 'evicted' | 'aborted'): Promise<HypervisorEvictionResult> {
    const { host } = this.input;
    const moved = this.status.instances.filter((i) => i.state === 'moved');
    const notMoved = this.status.instances.filter((i) => i.state !== 'moved');
    const notMovedText = notMoved.map((i) => `${i.name} (${i.reason ?? i.state})`);
    await this.op.runStep(
      'recording',
      async () => {
        await act.updateDevice({ device: host, status: EVICTED_STATUS });
        await act.addJournalEntry({
          device: host,
          kind: 'danger',
          comments: [
            `Hypervisor evicted (${outcome}): fenced (BMC power off, read back off); nova-compute forced down and disabled.`,
            ...moved.map((i) => `- ${i.name}: ${i.from} → ${i.to} in ${i.seconds?.toFixed(1)} s`),
            ...notMovedText.map((t) => `- ${t}: not moved`),
            `(Steward ${this.workflowId})`,
          ].join('\n'),
        });
        return this.op.done(`NetBox: ${host} ${EVICTED_STATUS}, journal entry written`);
      },
      { decisions: ['retry', 'abort'] },
    );
    const summary = [
      `${moved.length} instances moved`,
      ...(notMoved.length > 0 ? [`${notMoved.length} not moved: ${notMovedText.join(', ')}`] : []),
    ].join('; ');
    return this.finish(
      outcome,
      `${host} ${outcome === 'evicted' ? 'evicted' : 'eviction aborted by an operator'}: ${summary}; the host stays powered off and its compute service disabled`,
    );
  }

  private finish(outcome: Outcome, message: string): HypervisorEvictionResult {
    this.status.step = outcome === 'evicted' ? 'done' : outcome;
    this.op.show();
    return {
      ...this.op.snapshot(),
      outcome,
      message,
      seconds: (Date.now() - this.startedAt) / 1000,
    };
  }

  private details(): string[] {
    const { instances, log } = this.status;
    const moved = instances.filter((i) => i.state === 'moved').length;
    const left = instances.filter((i) => i.state !== 'moved' && i.state !== 'skipped');
    return [
      `Instances: ${moved} moved, ${left.length} left of ${instances.length}`,
      bulletList(left.map((i) => `${i.name} ${i.state}${i.reason ? `: ${i.reason}` : ''}`)),
      ...log.map((l) => `- ${l}`),
    ];
  }
}
