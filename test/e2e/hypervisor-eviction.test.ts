// Hypervisor evictions end to end, through the CLI, on the lab's real Nova (Zed), ipmi_sim BMCs,
// NetBox and OpenBao. One lab for the whole file (its start is CPU-bound); the tests run in
// order on it, each leaving hosts fenced and disabled as an eviction does:
// the fault matrix's partition cell (test/support/fault-matrix-cell.ts; it leaves every host up);
// partition (hv-1, hv-2 die at once) → nothing touched; hv-1's power cut → the watch evicts it;
// hv-2's compute dies with its BMC on, the worker is SIGKILLed mid-evacuation → powered off and
// verified first, each instance evacuated once; hv-3's BMC hangs → the operator is asked, nothing
// evacuated; hv-3 with no capacity left → reported, nothing lost, moved after a retry (Keystone
// having revoked Steward's tokens meanwhile). Then reinstalls: the evicted hv-1 is back in
// service; hv-4, running with every instance, is emptied (live, cold, the worker SIGKILLed midway)
// after an instance in ERROR stopped it before any power-off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  readBmcLog,
  readInstallLog,
  setBmcFault,
  setComputeRunning,
  setComputeServicesEnabled,
} from '../../lab';
import { waitFor } from '../../lab/wait';
import {
  hypervisorEvictionStatusQuery,
  hypervisorEvictionWatchStatusQuery,
  nodeReinstallStatusQuery,
  workflowIds,
  type HypervisorEvictionResult,
  type NodeReinstallResult,
} from '../../workflows/api';
import type { Connection } from '@temporalio/client';
import { evictionDriver } from '../../scripts/bench/fault-matrix-eviction';
import { matrixCellTest } from '../support/fault-matrix-cell';
import { recordHistory } from '../support/histories';
import { ipmitool } from '../support/ipmitool';
import { netboxDevice, powerCommands } from '../support/lab-bare-metal';
import {
  adminApi,
  computeServices,
  listServers,
  openstackRun,
  revokeStewardTokens,
  type ApiService,
} from '../support/openstack';
import {
  currentDetails,
  killWorkerAndStartAnother,
  startTestStack,
  type TestStack,
} from '../support/stack';

const SCENARIO = 'nova-lab.yaml';
/** Past the spreading failure, three of four hosts are down or evicted: the operator says 3. */
const evictByHand = (host: string) =>
  ['evict', host, '--region', 'lab', '--threshold', '3', '--detach'] as const;
const WATCH_ID = workflowIds.evictWatch('lab');
/** A nova-compute's start is CPU-bound: minutes on a loaded machine. */
const COMPUTE_START_MS = 300_000;
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

let stack: TestStack;
before(
  async () => {
    const started = Date.now();
    stack = await startTestStack(SCENARIO);
    console.log(`stack with the nova lab started in ${Date.now() - started} ms`);
  },
  { timeout: 900_000 },
);
after(async () => stack?.stop());

const os = () => stack.lab.openstack!;
const services = async (): Promise<Record<string, ApiService>> =>
  Object.fromEntries((await computeServices(os())).map((s) => [s.host, s]));
const waitForState = (hosts: string[], state: ApiService['state'], timeoutMs = 90_000) =>
  waitFor(
    `${hosts.join(', ')} ${state}`,
    async () => {
      const now = await services();
      const wrong = hosts.filter((h) => now[h]?.state !== state);
      return wrong.length === 0 || `not ${state}: ${wrong.join(', ')}`;
    },
    { timeoutMs, intervalMs: 500 },
  );
/** Nova's own evacuation records of an instance, newest first. */
const evacuations = async (serverId: string) =>
  (
    await adminApi(os()).call<{
      migrations: { status: string; source_compute: string; created_at: string }[];
    }>(
      'GET',
      `${os().computeUrl}/os-migrations?instance_uuid=${serverId}&migration_type=evacuation`,
      undefined,
      { microversion: '2.59' },
    )
  ).migrations;
const evacuationsFrom = async (serverId: string, host: string) =>
  (await evacuations(serverId)).filter((m) => m.source_compute === host);
const allEvacuations = async () =>
  (
    await adminApi(os()).call<{ migrations: unknown[] }>(
      'GET',
      `${os().computeUrl}/os-migrations?migration_type=evacuation`,
      undefined,
      { microversion: '2.59' },
    )
  ).migrations;
/** Nova's timestamps are UTC without a zone, in microseconds. */
const novaTime = (t: string) =>
  Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(t) ? t : `${t.replace(/(\.\d{3})\d*$/, '$1')}Z`);
const powerOffs = (host: string) =>
  readBmcLog(stack.lab.stateDir, host).filter((c) => c.command === 'set power 0');
const evictionResult = (host: string): Promise<HypervisorEvictionResult> =>
  stack.client.workflow.getHandle(workflowIds.evict('lab', host)).result();
async function untilEvictionWaits(host: string): Promise<string> {
  const handle = stack.client.workflow.getHandle(workflowIds.evict('lab', host));
  let reason: string | undefined;
  await waitFor(
    `evict/lab/${host} waiting for an operator`,
    async () => {
      reason = (await handle.query(hypervisorEvictionStatusQuery)).waitingReason;
      return reason !== undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  return reason!;
}
const reinstallResult = (host: string): Promise<NodeReinstallResult> =>
  stack.client.workflow.getHandle(workflowIds.reinstall(host)).result();
/** Nova's own records of an instance's live and cold migrations from `host`. */
const movesFrom = async (serverId: string, host: string) =>
  (
    await adminApi(os()).call<{
      migrations: { migration_type: string; status: string; source_compute: string }[];
    }>('GET', `${os().computeUrl}/os-migrations?instance_uuid=${serverId}`, undefined, {
      microversion: '2.59',
    })
  ).migrations.filter(
    (m) => m.source_compute === host && ['live-migration', 'migration'].includes(m.migration_type),
  );
/** Every instance that was on `host` is ACTIVE (or as it was) elsewhere, as the openstack CLI sees it. */
async function assertMovedOff(host: string, ids: string[]): Promise<void> {
  const servers = await listServers(os());
  for (const id of ids) {
    const s = servers.find((x) => x.ID === id);
    assert.ok(s, `instance ${id} still exists`);
    assert.equal(s.Status, 'ACTIVE', `${s.Name}: ${JSON.stringify(s)}`);
    assert.notEqual(s.Host, host, `${s.Name} left ${host}`);
  }
}

describe('hypervisor eviction on the real Nova lab', () => {
  it('bad input is refused naming the field; nothing changed', async () => {
    const cases: [string[], RegExp][] = [
      [['evict', 'hv-9', '--region', 'lab'], /host: no nova-compute service on "hv-9" in lab/],
      [['evict', 'hv-1', '--region', 'nowhere'], /region: no OpenStack region "nowhere"/],
      [['evict-watch', 'lab', '--threshold', '0'], /threshold: must be a whole number above 0/],
      [['evict-watch', 'lab', '--threshold', 'lots'], /threshold: /],
      [
        ['reinstall', 'hv-1', '--nova-region', 'nowhere', '--deploy', 'none'],
        /novaRegion: no OpenStack region "nowhere"/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await stack.steward(...args);
      assert.equal(run.code, 2, output(run));
      assert.match(run.stderr, message);
    }
    assert.deepEqual(await allEvacuations(), []);
  });

  it(
    "the fault matrix's cell: a partition-sized failure, evicted by hand with the worker killed: refused, nothing unsafe or doubled",
    // A refusal takes seconds once the worker is warm: the kill comes within 300 ms of validating.
    matrixCellTest('hypervisor-eviction/partition-sized-failure', evictionDriver(), {
      maxDelayMs: 300,
      stack: () => stack,
    }),
  );

  it('a partition (half the hosts down at once): zero fences, zero evacuations, the watch says so; nothing touched when they return', async () => {
    // 30 s of grace: computes restarted together come up some seconds apart on a busy machine.
    const run = await stack.steward('evict-watch', 'lab', '--interval', '5s', '--grace', '6');
    assert.equal(run.code, 0, output(run));
    await setComputeRunning(stack.lab.stateDir, ['hv-1', 'hv-2'], false);
    await waitForState(['hv-1', 'hv-2'], 'down');
    const watch = stack.client.workflow.getHandle(WATCH_ID);
    await waitFor(
      'the watch reports a partition',
      async () => (await watch.query(hypervisorEvictionWatchStatusQuery)).partition !== undefined,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const seen = await watch.query(hypervisorEvictionWatchStatusQuery);
    // Several polls past the grace: still nothing.
    await waitFor(
      'two more polls',
      async () => (await watch.query(hypervisorEvictionWatchStatusQuery)).polls >= seen.polls + 2,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const status = await stack.steward('status', WATCH_ID);
    assert.match(
      status.stdout,
      /PARTITION SUSPECTED, evicting nothing: 2 of 4 hypervisors down in region \(hv-1, hv-2\), more than the 1 allowed/,
    );
    assert.match(await currentDetails(stack, WATCH_ID), /Partition suspected, evicting nothing/);
    const { searchAttributes } = await watch.describe();
    assert.deepEqual(searchAttributes.StewardPhase, ['partition-suspected']);
    for (const host of ['hv-1', 'hv-2'])
      assert.deepEqual(powerOffs(host), [], `no fence of ${host}`);
    assert.deepEqual(await allEvacuations(), []);

    await setComputeRunning(stack.lab.stateDir, ['hv-1', 'hv-2'], true);
    await waitForState(['hv-1', 'hv-2'], 'up', COMPUTE_START_MS);
    await waitFor(
      'the partition cleared',
      async () => (await watch.query(hypervisorEvictionWatchStatusQuery)).partition === undefined,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    const now = await services();
    for (const host of ['hv-1', 'hv-2']) {
      assert.deepEqual([now[host].status, now[host].forced_down], ['enabled', false]);
      assert.deepEqual(powerOffs(host), []);
    }
    assert.deepEqual((await watch.query(hypervisorEvictionWatchStatusQuery)).startedThisRun, []);
  });

  it("a BMC power cut: the watch fences (one power-off, read back off), forces down, moves every instance; host off and disabled; NetBox's journal", async () => {
    const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-1').map((s) => s.ID);
    assert.ok(onHost.length >= 2);
    const cut = Date.now();
    const off = await ipmitool(stack.lab, SCENARIO, 'hv-1', ['chassis', 'power', 'off']);
    assert.equal(off.code, 0, off.stderr);
    await waitFor(
      'the watch started evict/lab/hv-1',
      async () =>
        (
          await stack.client.workflow.getHandle(WATCH_ID).query(hypervisorEvictionWatchStatusQuery)
        ).startedThisRun.includes('hv-1'),
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const result = await evictionResult('hv-1');
    console.log(
      `power cut → evicted in ${((Date.now() - cut) / 1000).toFixed(1)} s: ${result.instances.map((i) => `${i.name} → ${i.to} ${i.seconds}s`).join(', ')}`,
    );
    assert.equal(result.outcome, 'evicted', result.message);
    assert.equal(result.fenced, true);
    assert.equal(powerOffs('hv-1').length, 1, 'one power-off: the cut; Steward read it back off');
    const power = await ipmitool(stack.lab, SCENARIO, 'hv-1', ['chassis', 'power', 'status']);
    assert.equal(power.stdout.trim(), 'Chassis Power is off');
    const hv1 = (await services())['hv-1'];
    assert.deepEqual([hv1.state, hv1.status, hv1.forced_down], ['down', 'disabled', true]);
    await assertMovedOff('hv-1', onHost);
    for (const id of onHost) assert.equal((await evacuationsFrom(id, 'hv-1')).length, 1);
    const device = await netboxDevice(stack.lab, 'hv-1');
    assert.equal(device.status, 'failed');
    assert.ok(
      device.journal.some(
        (j) => j.kind.value === 'danger' && /Hypervisor evicted \(evicted\)/.test(j.comments),
      ),
      JSON.stringify(device.journal),
    );
  });

  it("a failure that spreads (hv-2's, then hv-3's compute killed 25 s apart after hv-1's eviction): the watch stops at the threshold; Nova and the BMCs show no fence or evacuation of either", async () => {
    const watch = stack.client.workflow.getHandle(WATCH_ID);
    await setComputeRunning(stack.lab.stateDir, ['hv-2'], false);
    await new Promise((r) => setTimeout(r, 25_000));
    await setComputeRunning(stack.lab.stateDir, ['hv-3'], false);
    await waitForState(['hv-2', 'hv-3'], 'down');
    await waitFor(
      'the watch stops at the threshold',
      async () =>
        /hv-3/.test((await watch.query(hypervisorEvictionWatchStatusQuery)).partition ?? ''),
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    const seen = await watch.query(hypervisorEvictionWatchStatusQuery);
    // Past the grace (6 polls) and more: still nothing.
    await waitFor(
      'eight more polls',
      async () => (await watch.query(hypervisorEvictionWatchStatusQuery)).polls >= seen.polls + 8,
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    const status = await watch.query(hypervisorEvictionWatchStatusQuery);
    assert.match(
      status.partition ?? '',
      /^3 of 4 hypervisors down or evicted within 60 min in region \(hv-1 evicted, hv-2, hv-3\), more than the 1 allowed/,
    );
    assert.deepEqual(status.startedThisRun, ['hv-1']);
    // Nova's own records: only hv-1 was evacuated; hv-2 and hv-3 neither forced down nor disabled.
    const sources = new Set(
      ((await allEvacuations()) as { source_compute: string }[]).map((m) => m.source_compute),
    );
    assert.deepEqual([...sources], ['hv-1']);
    const now = await services();
    for (const host of ['hv-2', 'hv-3']) {
      assert.deepEqual([now[host].status, now[host].forced_down], ['enabled', false], host);
      assert.deepEqual(powerOffs(host), [], `no fence of ${host}`);
    }
    // The rest of the file evicts by hand (hv-2 and hv-3 stay down for it).
    await watch.terminate('e2e: evictions by hand from here');
  });

  it('an eviction by hand is judged against the same threshold: refused naming the counts, nothing touched', async () => {
    const run = await stack.steward('evict', 'hv-2', '--region', 'lab');
    assert.notEqual(run.code, 0, output(run));
    assert.match(
      output(run),
      /3 of 4 hypervisors down or evicted within 60 min in region \(hv-1 evicted, hv-2, hv-3\), more than the 1 allowed/,
    );
    const result = await evictionResult('hv-2');
    assert.equal(result.outcome, 'refused');
    const hv2 = (await services())['hv-2'];
    assert.deepEqual([hv2.status, hv2.forced_down], ['enabled', false]);
    assert.deepEqual(powerOffs('hv-2'), []);
    const sources = ((await allEvacuations()) as { source_compute: string }[]).map(
      (m) => m.source_compute,
    );
    assert.ok(!sources.includes('hv-2'), 'nothing evacuated from hv-2');
  });

  it('a compute dies with its BMC on, the worker is SIGKILLed mid-evacuation: powered off and verified first, each instance evacuated once', async () => {
    const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-2').map((s) => s.ID);
    await setComputeRunning(stack.lab.stateDir, ['hv-2'], false);
    const on = await ipmitool(stack.lab, SCENARIO, 'hv-2', ['chassis', 'power', 'status']);
    assert.equal(on.stdout.trim(), 'Chassis Power is on');
    await waitForState(['hv-2'], 'down');
    // Three of four hosts down or evicted: an operator's explicit threshold.
    const run = await stack.steward(...evictByHand('hv-2'));
    assert.equal(run.code, 0, output(run));
    const handle = stack.client.workflow.getHandle(workflowIds.evict('lab', 'hv-2'));
    await waitFor(
      'evacuations in flight',
      async () =>
        (await handle.query(hypervisorEvictionStatusQuery)).instances.some(
          (i) => i.state === 'evacuating',
        ),
      { timeoutMs: 180_000, intervalMs: 100 },
    );
    await killWorkerAndStartAnother(stack);
    const result = await evictionResult('hv-2');
    assert.equal(result.outcome, 'evicted', result.message);
    const offs = powerOffs('hv-2');
    assert.equal(offs.length, 1, 'one power-off, by Steward');
    await assertMovedOff('hv-2', onHost);
    const offAt = Math.floor(Date.parse(offs[0].at) / 1000) * 1000;
    for (const id of onHost) {
      const records = await evacuationsFrom(id, 'hv-2');
      assert.equal(records.length, 1, `${id} evacuated once`);
      assert.ok(
        novaTime(records[0].created_at) >= offAt,
        `evacuated after the power-off: ${records[0].created_at} vs ${offs[0].at}`,
      );
    }
  });

  it('a BMC that does not answer: no force-down, no evacuation, the operator is asked', async () => {
    const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-3').map((s) => s.ID);
    await setComputeRunning(stack.lab.stateDir, ['hv-3'], false);
    await waitForState(['hv-3'], 'down');
    setBmcFault(stack.lab.stateDir, 'hv-3', 'hung', true);
    try {
      const run = await stack.steward(...evictByHand('hv-3'));
      assert.equal(run.code, 0, output(run));
      assert.match(await untilEvictionWaits('hv-3'), /^fencing: /);
      const status = await stack.steward('status', workflowIds.evict('lab', 'hv-3'));
      assert.equal(status.code, 3, output(status));
      assert.equal((await services())['hv-3'].forced_down, false);
      for (const id of onHost)
        assert.deepEqual(await evacuationsFrom(id, 'hv-3'), [], 'nothing evacuated');
      const abort = await stack.steward('decide', workflowIds.evict('lab', 'hv-3'), 'abort');
      assert.equal(abort.code, 0, output(abort));
      const result = await evictionResult('hv-3');
      assert.equal(result.outcome, 'aborted');
    } finally {
      setBmcFault(stack.lab.stateDir, 'hv-3', 'hung', false);
    }
    assert.deepEqual(powerOffs('hv-3'), []);
    assert.equal((await services())['hv-3'].status, 'enabled');
  });

  it("no capacity left: reported, nothing lost, nothing posted; a retry after capacity returns (and after Keystone revoked Steward's tokens) moves them", async () => {
    const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-3').map((s) => s.ID);
    await setComputeServicesEnabled(os(), ['hv-4'], false);
    try {
      const run = await stack.steward(...evictByHand('hv-3'));
      assert.equal(run.code, 0, output(run));
      assert.match(
        await untilEvictionWaits('hv-3'),
        /^evacuating: \d+ of \d+ instances could not move: .*no capacity: no other hypervisor is up and enabled/,
      );
      const servers = await listServers(os());
      for (const id of onHost) {
        assert.equal(servers.find((s) => s.ID === id)?.Host, 'hv-3', 'nothing lost');
        assert.deepEqual(await evacuationsFrom(id, 'hv-3'), [], 'nothing posted');
      }
    } finally {
      await setComputeServicesEnabled(os(), ['hv-4'], true);
    }
    await revokeStewardTokens(os());
    const retry = await stack.steward('decide', workflowIds.evict('lab', 'hv-3'), 'retry');
    assert.equal(retry.code, 0, output(retry));
    const result = await evictionResult('hv-3');
    assert.equal(result.outcome, 'evicted', result.message);
    assert.equal(powerOffs('hv-3').length, 1);
    await assertMovedOff('hv-3', onHost);
    const status = await stack.steward('status', workflowIds.evict('lab', 'hv-3'));
    assert.equal(status.code, 0, output(status));
    assert.match(status.stdout, /hv-3 evicted: \d+ instances moved/);
  });

  it('reinstall of the evicted hv-1: powered on from PXE, its nova-compute forced up and reporting, enabled again, NetBox active', async () => {
    const run = await stack.steward(
      'reinstall',
      'hv-1',
      '--nova-region',
      'lab',
      '--deploy',
      'none',
    );
    assert.equal(run.code, 0, output(run));
    const result = await reinstallResult('hv-1');
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.match(result.log.join('\n'), /Nova: no instances on hv-1/);
    const hv1 = (await services())['hv-1'];
    assert.deepEqual([hv1.state, hv1.status, hv1.forced_down], ['up', 'enabled', false]);
    assert.deepEqual(
      powerCommands(stack.lab, 'hv-1').slice(-3),
      ['set power 0', 'set boot pxe', 'set power 1'],
      'the power cut; then PXE and on (Steward sends no power-off to a host that is off)',
    );
    assert.equal(readInstallLog(stack.lab.stateDir, 'hv-1').length, 1, 'installed once');
    assert.equal((await netboxDevice(stack.lab, 'hv-1')).status, 'active');
  });

  it('reinstall of a running hv-4: an instance in ERROR stops it before any power-off; then disabled, each instance moved once (live, or cold when stopped) with the worker SIGKILLed midway, enabled after', async () => {
    const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-4');
    assert.ok(onHost.length >= 3, `instances on hv-4: ${onHost.length}`);
    const [broken, stopped] = onHost;
    await openstackRun(os(), ['server', 'stop', stopped.ID]);
    await openstackRun(os(), ['server', 'set', '--state', 'error', broken.ID]);
    await waitFor(
      `${stopped.Name} SHUTOFF`,
      async () => (await listServers(os())).find((s) => s.ID === stopped.ID)?.Status === 'SHUTOFF',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const dry = await stack.steward('reinstall', 'hv-4', '--nova-region', 'lab', '--dry-run');
    assert.equal(dry.code, 0, output(dry));
    assert.match(dry.stdout, new RegExp(`${broken.Name} \\(ERROR\\): CANNOT MOVE`));
    assert.match(dry.stdout, new RegExp(`${stopped.Name} \\(SHUTOFF\\): migration to hv-1`));
    const id = workflowIds.reinstall('hv-4');
    const offsBefore = powerOffs('hv-4').length;
    const run = await stack.steward(
      'reinstall',
      'hv-4',
      '--nova-region',
      'lab',
      '--deploy',
      'none',
      '--detach',
    );
    assert.equal(run.code, 0, output(run));
    const handle = stack.client.workflow.getHandle(id);
    let reason: string | undefined;
    await waitFor(
      'the reinstall to ask about the ERROR instance',
      async () =>
        (reason = (await handle.query(nodeReinstallStatusQuery)).waitingReason) !== undefined,
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    assert.match(
      reason!,
      new RegExp(
        `^migrate-instances: 1 of ${onHost.length} instances on hv-4 cannot be moved by Steward: ${broken.Name} is ERROR`,
      ),
    );
    const hv4 = (await services())['hv-4'];
    assert.deepEqual(
      [hv4.status, hv4.disabled_reason],
      ['disabled', `reinstall by Steward (${id})`],
    );
    assert.equal(powerOffs('hv-4').length, offsBefore, 'no power-off');
    for (const s of onHost)
      assert.deepEqual(await movesFrom(s.ID, 'hv-4'), [], 'nothing moved yet');

    await openstackRun(os(), ['server', 'set', '--state', 'active', broken.ID]);
    const retry = await stack.steward('decide', id, 'retry');
    assert.equal(retry.code, 0, output(retry));
    await waitFor(
      'migrations off hv-4 under way',
      async () =>
        (await Promise.all(onHost.map((s) => movesFrom(s.ID, 'hv-4')))).some((m) => m.length > 0),
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    await killWorkerAndStartAnother(stack);
    const result = await reinstallResult('hv-4');
    assert.equal(result.outcome, 'reinstalled', result.message);
    recordHistory(
      (stack.client.connection as Connection).options.address,
      id,
      'node-reinstall-hypervisor-error-instance-retry',
    );

    const servers = await listServers(os());
    for (const s of onHost) {
      const now = servers.find((x) => x.ID === s.ID);
      const expected = s.ID === stopped.ID ? 'SHUTOFF' : 'ACTIVE';
      assert.deepEqual([now?.Status, now?.Host === 'hv-4'], [expected, false], s.Name);
      const moves = await movesFrom(s.ID, 'hv-4');
      assert.deepEqual(
        moves.map((m) => `${m.migration_type} ${m.status}`),
        [s.ID === stopped.ID ? 'migration confirmed' : 'live-migration completed'],
        `${s.Name} moved once`,
      );
    }
    assert.equal(powerOffs('hv-4').length, offsBefore + 1, 'one power-off, by Steward');
    const after = (await services())['hv-4'];
    assert.deepEqual([after.state, after.status, after.disabled_reason], ['up', 'enabled', null]);
    assert.equal((await netboxDevice(stack.lab, 'hv-4')).status, 'active');
  });
});
