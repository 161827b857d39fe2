// hypervisorEviction: a failed hypervisor emptied without making the outage worse. The failure is
// re-confirmed (Nova sees the compute service down) → fence: the BMC found through NetBox and
// proven to be this host's (FRU serial), powered off and read back off; a fence that cannot be
// verified waits for the operator and evacuates nothing → the compute service forced down and
// disabled with a reason → each instance evacuated (bounded concurrency) to a host Steward picks
// from the hypervisors' free capacity, followed until its migration record is done and it is
// ACTIVE (or SHUTOFF, as it was) elsewhere; retried with backoff, then the operator → NetBox
// marks the device failed with a journal entry; the host stays off and disabled → a report.
import { fenceCalls as fence } from './operation/activity-profiles';
import { setCurrentDetails, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ServerFacts } from '../activities/openstack/nova';
import {
  hypervisorEvictionStatusQuery,
  invalidInput,
  workflowIds,
  type EvictionStep,
  type HypervisorEvictionInput,
  type HypervisorEvictionResult,
  type HypervisorEvictionStatus,
  type InstanceEvacuation,
  type OperatorDecision,
} from './api';
import { activityProblem } from './activity-errors';
import { followMoves as follow, hostCalls as act } from './operation/activity-profiles';
import { planTargets, readComputeService } from './eviction-reads';
import { OperatorGate } from './operation/operator-gate';
import { parseEvictionInput } from './policy/eviction-input';
import { locateBmc, readDevice } from './reinstall-reads';
import { announce, bulletList, showPhase } from './operation/visibility';

/** NetBox's status of an evicted host: it needs a person before it serves again. */
export const EVICTED_STATUS = 'failed';

export async function hypervisorEviction(
  rawInput: HypervisorEvictionInput,
): Promise<HypervisorEvictionResult> {
  const input = parseEvictionInput(rawInput);
  const { region, host } = input;
  const workflowId = workflowIds.evict(region, host);
  if (workflowInfo().workflowId !== workflowId)
    throw invalidInput('workflowId', `must be "${workflowId}" so that one eviction runs per host`);
  const startedAt = Date.now();

  const gate = new OperatorGate();
  const status: HypervisorEvictionStatus = {
    region,
    host,
    step: 'validating',
    fenced: false,
    instances: [],
    log: [],
    decisions: gate.decisions,
  };
  const snapshot = (): HypervisorEvictionStatus => ({ ...status, waitingReason: gate.reason });
  setHandler(hypervisorEvictionStatusQuery, snapshot);
  announce('evict', region, host);
  // The phase search attribute is written when it changes; the details on every change.
  let shownPhase: string | undefined;
  const show = () => {
    const phase = gate.reason ? 'waiting-for-operator' : status.step;
    const moved = status.instances.filter((i) => i.state === 'moved').length;
    const left = status.instances.filter((i) => i.state !== 'moved' && i.state !== 'skipped');
    const details = [
      `**Evict ${host}** (${region}): ${status.step}${status.fenced ? ', fenced' : ''}`,
      `Instances: ${moved} moved, ${left.length} left of ${status.instances.length}`,
      bulletList(left.map((i) => `${i.name} ${i.state}${i.reason ? `: ${i.reason}` : ''}`)),
      ...status.log.map((l) => `- ${l}`),
      gate.reason
        ? `Waiting for an operator: ${gate.reason}\n\`steward decide ${workflowId} ${gate.current?.decisions?.join('|')}\``
        : '',
    ].join('\n');
    if (phase === shownPhase) return setCurrentDetails(details);
    shownPhase = phase;
    showPhase(phase, details);
  };
  const finish = (
    outcome: HypervisorEvictionResult['outcome'],
    message: string,
  ): HypervisorEvictionResult => {
    show();
    return { ...snapshot(), outcome, message, seconds: (Date.now() - startedAt) / 1000 };
  };
  const done = (line: string) => {
    status.log.push(line);
    return undefined;
  };

  /** Runs a step until it reports no problem, asking the operator after each; the decision that ended it. */
  async function step(
    name: EvictionStep,
    run: () => Promise<string | undefined>,
    allowed: OperatorDecision[] = ['retry', 'abort'],
  ): Promise<'done' | OperatorDecision> {
    status.step = name;
    for (;;) {
      show();
      const problem = await run().catch(activityProblem);
      if (problem === undefined) return 'done';
      const waiting = gate.wait(`${name}: ${problem}`, allowed);
      show();
      const { decision } = await waiting;
      if (decision !== 'retry') return decision;
    }
  }

  // Re-confirm: a host whose compute service is up again is left alone.
  status.step = 'confirming';
  show();
  const service = await readComputeService(region, host);
  if (service.state === 'up') {
    status.step = 'not-failed';
    return finish('not-failed', `${host}'s nova-compute is up in ${region}: nothing done`);
  }
  const device = await readDevice(host, 'host');
  done(
    `Nova: ${host}'s nova-compute is down (${service.status}${service.forcedDown ? ', forced down' : ''})`,
  );

  const bmcTarget = { device: host, serial: device.serial, credentials: input.bmcCredentials };
  const fenced = await step('fencing', async () => {
    const located = await locateBmc(device);
    status.bmc = located.label;
    const bmc = { ...bmcTarget, address: located.address };
    const off = await fence.bmcPowerOff({ bmc });
    const { power } = await fence.bmcPowerStatus({ bmc });
    if (power !== 'off') return `the BMC reads power ${power} after the power-off`;
    status.fenced = true;
    return done(`${off.message}; read back off`);
  });
  if (fenced !== 'done') {
    status.step = 'aborted';
    return finish(
      'aborted',
      `eviction of ${host} aborted by an operator: the host was not verified off, nothing evacuated`,
    );
  }

  const reason = `failed; fenced and evicted by Steward (${workflowId})`;
  const disabled = await step('disabling', async () => {
    await act.setComputeServiceForcedDown({ region, host, forcedDown: true });
    await act.setComputeServiceEnabled({ region, host, enabled: false, reason });
    return done(`Nova: ${host}'s nova-compute forced down and disabled ("${reason}")`);
  });
  if (disabled !== 'done') return recordAndFinish('aborted');

  status.step = 'evacuating';
  show();
  const servers = await act.listServersOnHost({ region, host });
  const sizes = new Map(servers.map((s) => [s.id, s]));
  status.instances = servers.map((s: ServerFacts): InstanceEvacuation => ({
    id: s.id,
    name: s.name,
    expectedStatus: s.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE',
    state: 'pending',
    from: host,
    attempts: 0,
  }));
  const firstRequest = new Map<string, number>();

  async function evacuateOne(i: InstanceEvacuation, target: string): Promise<void> {
    i.state = 'evacuating';
    i.target = target;
    i.reason = undefined;
    show();
    for (let round = 1; ; round++) {
      i.attempts++;
      if (!firstRequest.has(i.id)) firstRequest.set(i.id, Date.now());
      // A later attempt leaves the destination to Nova's scheduler: the chosen one may be the problem.
      const targetHost = round === 1 ? target : undefined;
      const problem = await (async () => {
        await act.evacuateServer({ region, serverId: i.id, sourceHost: host, targetHost });
        const facts = await follow.awaitEvacuation({ region, serverId: i.id, sourceHost: host });
        const { server, migration } = facts;
        const settledElsewhere =
          server.host !== host &&
          server.status === i.expectedStatus &&
          (migration === undefined || ['done', 'completed'].includes(migration.status));
        if (settledElsewhere) {
          i.to = server.host ?? undefined;
          return undefined;
        }
        return (
          server.fault ??
          `migration ${migration?.status ?? 'none'}; instance ${server.status} on ${server.host ?? 'no host'}`
        );
      })().catch(activityProblem);
      if (problem === undefined) {
        i.state = 'moved';
        i.seconds = (Date.now() - firstRequest.get(i.id)!) / 1000;
        show();
        return;
      }
      i.reason = problem;
      if (round >= input.maxAttempts) {
        i.state = 'failed';
        show();
        return;
      }
      show();
      await sleep(input.backoffSeconds * 1000 * 2 ** (round - 1));
    }
  }

  async function evacuateAll(list: InstanceEvacuation[]): Promise<void> {
    const choices = await planTargets(
      region,
      host,
      list.map((i) => sizes.get(i.id)!),
    );
    const queue: { i: InstanceEvacuation; target: string }[] = [];
    for (const [n, choice] of choices.entries()) {
      const i = list[n];
      if ('target' in choice) queue.push({ i, target: choice.target });
      else Object.assign(i, { state: 'failed', reason: choice.reason });
    }
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift())
        await evacuateOne(next.i, next.target);
    };
    await Promise.all(Array.from({ length: Math.min(input.concurrency, queue.length) }, worker));
  }

  const failed = () => status.instances.filter((i) => i.state === 'failed');
  let pending = status.instances;
  for (;;) {
    await evacuateAll(pending);
    pending = failed();
    if (pending.length === 0) break;
    const waiting = gate.wait(
      `evacuating: ${pending.length} of ${status.instances.length} instances could not move: ${pending
        .map((i) => `${i.name} (${i.reason})`)
        .join('; ')}`,
      ['retry', 'skip', 'abort'],
    );
    show();
    const { decision } = await waiting;
    if (decision === 'retry') continue;
    if (decision === 'skip') for (const i of pending) i.state = 'skipped';
    if (decision === 'abort') return recordAndFinish('aborted');
    break;
  }
  done(
    `evacuated ${status.instances.filter((i) => i.state === 'moved').length} of ${status.instances.length} instances`,
  );
  return recordAndFinish('evicted');

  /** NetBox learns what happened to the host; the host stays off and its service disabled. */
  async function recordAndFinish(
    outcome: 'evicted' | 'aborted',
  ): Promise<HypervisorEvictionResult> {
    const moved = status.instances.filter((i) => i.state === 'moved');
    const notMoved = status.instances.filter((i) => i.state !== 'moved');
    const summary = [
      `${moved.length} instances moved`,
      ...(notMoved.length > 0
        ? [
            `${notMoved.length} not moved: ${notMoved.map((i) => `${i.name} (${i.reason ?? i.state})`).join(', ')}`,
          ]
        : []),
    ].join('; ');
    await step('recording', async () => {
      await act.updateDevice({ device: host, status: EVICTED_STATUS });
      await act.addJournalEntry({
        device: host,
        kind: 'danger',
        comments: [
          `Hypervisor evicted (${outcome}): fenced (BMC power off, read back off); nova-compute forced down and disabled.`,
          ...moved.map((i) => `- ${i.name}: ${i.from} → ${i.to} in ${i.seconds?.toFixed(1)} s`),
          ...notMoved.map((i) => `- ${i.name}: not moved (${i.reason ?? i.state})`),
          `(Steward ${workflowId})`,
        ].join('\n'),
      });
      return done(`NetBox: ${host} ${EVICTED_STATUS}, journal entry written`);
    });
    status.step = outcome === 'evicted' ? 'done' : 'aborted';
    return finish(
      outcome,
      `${host} ${outcome === 'evicted' ? 'evicted' : 'eviction aborted by an operator'}: ${summary}; the host stays powered off and its compute service disabled`,
    );
  }
}
