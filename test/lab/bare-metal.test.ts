// The lab's bare metal with real clients: ipmitool against each ipmi_sim, DNS lookups against
// dnsmasq, HTTP against the provisioning nginx; and the physics a BMC drives on the cluster.
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bmcAddress, fruSerial, readBmcLog, readInstallLog, setBmcFault, stopLab } from '../../lab';
import { bareMetalDaemons } from '../../lab/bare-metal';
import { isRunning } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import { scenarioHosts } from '../support/bmc';
import { ipmitool } from '../support/ipmitool';
import { startTestLab, type TestLab } from '../support/lab';
import { LabCluster } from '../support/lab-cluster';

const SCENARIO = 'bmc-lab.yaml';
const hosts = scenarioHosts(SCENARIO);
let lab: TestLab;
let cluster: LabCluster;

before(
  async () => {
    const started = Date.now();
    lab = await startTestLab(SCENARIO);
    console.log(`lab with ${hosts.length} hosts started in ${Date.now() - started} ms`);
    cluster = new LabCluster(lab.kubeconfigPath);
  },
  { timeout: 300_000 },
);
after(async () => lab?.stop());

const ipmi = (host: string, ...args: string[]) => ipmitool(lab, SCENARIO, host, args);
const commands = (host: string) => readBmcLog(lab.stateDir, host).map((c) => c.command);
const publish = (host: string, script: string) =>
  fetch(`${lab.bareMetal!.provisioning.url}/${host}/base-script`, { method: 'PUT', body: script });

async function waitForBoot(node: string, oldBootId: string) {
  await waitFor(
    `${node} Ready with a new boot ID`,
    async () => {
      const n = await cluster.node(node);
      return (n.ready && n.bootId !== oldBootId) || JSON.stringify(n);
    },
    { timeoutMs: 30_000 },
  );
}

test('connection.json names the BMC port and DDNS pattern, the DNS server and the provisioning URL', () => {
  const file = JSON.parse(readFileSync(lab.connectionPath, 'utf8'));
  const bm = lab.bareMetal!;
  assert.deepEqual(
    { bmc: file.bmc, dns: file.dns, provisioning: file.provisioning },
    {
      bmc: { port: bm.bmc.port, ddnsPattern: 'bmc-{serial}.oob.lab.steward.dev' },
      dns: { server: bm.dns.server },
      provisioning: { url: bm.provisioning.url },
    },
  );
  assert.match(bm.dns.server, /^127\.0\.0\.1:\d+$/);
  assert.ok(file.clusters.lab.kubeconfig, 'the Kubernetes part stays');
});

test("ipmitool reads every BMC unchanged: the FRU's serial (the wrong BMC's too), power, SDR", async () => {
  for (const host of hosts) {
    const fru = await ipmi(host.name, 'fru', 'print', '0');
    assert.equal(fru.code, 0, fru.stderr);
    assert.match(fru.stdout, new RegExp(`Product Serial\\s*: ${fruSerial(host)}\\n`));
    assert.match(fru.stdout, new RegExp(`Board Serial\\s*: ${fruSerial(host)}\\n`));
    assert.equal(
      (await ipmi(host.name, 'chassis', 'power', 'status')).stdout.trim(),
      'Chassis Power is on',
    );
    assert.match((await ipmi(host.name, 'sdr', 'elist', 'all')).stdout, /^BMC\s+\|/);
  }
  assert.match((await ipmi('misfit', 'fru', 'print', '0')).stdout, /Product Serial\s*: SRV-4001/);
});

test('a BMC refuses a wrong password and an unknown user', async () => {
  for (const login of [{ password: 'not-the-password' }, { username: 'root' }]) {
    const run = await ipmitool(lab, SCENARIO, 'worker-1', ['power', 'status'], login);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Unable to establish IPMI v2 \/ RMCP\+ session/);
  }
});

test('dnsmasq answers the DDNS names of ddns hosts (lowercase), and NXDOMAIN otherwise', async () => {
  const resolver = new Resolver();
  resolver.setServers([lab.bareMetal!.dns.server]);
  assert.deepEqual(await resolver.resolve4('bmc-srv-1002.oob.lab.steward.dev'), [bmcAddress(1)]);
  assert.deepEqual(await resolver.resolve4('bmc-srv-1003.oob.lab.steward.dev'), [bmcAddress(2)]);
  // worker-1 is in-band: NetBox has its OOB IP, DNS has no name for it.
  await assert.rejects(resolver.resolve4('bmc-srv-1001.oob.lab.steward.dev'), {
    code: 'ENOTFOUND',
  });
});

test('power off stops the node (NotReady); power on boots the old system (new boot ID, Ready)', async () => {
  const before = await cluster.node('worker-1');
  assert.equal((await ipmi('worker-1', 'chassis', 'power', 'off')).code, 0);
  await waitFor(
    'worker-1 NotReady after power off',
    async () => !(await cluster.node('worker-1')).ready,
    { timeoutMs: 90_000, intervalMs: 1_000 },
  );
  const off = await cluster.node('worker-1');
  assert.equal(off.kubelet, 'stopped');
  assert.equal(off.bootId, before.bootId, 'no boot while off');
  assert.equal((await ipmi('worker-1', 'chassis', 'power', 'on')).code, 0);
  await waitForBoot('worker-1', before.bootId);
  assert.deepEqual(readInstallLog(lab.stateDir, 'worker-1'), [], 'no PXE, no install');
  assert.deepEqual(
    readBmcLog(lab.stateDir, 'worker-1').map((c) => c.effect),
    ['off', 'on boot=disk'],
  );
});

test('PXE then power cycle: the installer runs the published script, the node rejoins with a new boot ID and keeps its cordon; PXE is one-shot', async () => {
  const script = '#!/bin/sh\n# standard base script for worker-2\nexit 0\n';
  assert.equal((await publish('worker-2', script)).status, 201);
  await lab.kubectl('cordon', 'worker-2');
  const before = await cluster.node('worker-2');
  assert.equal((await ipmi('worker-2', 'chassis', 'bootdev', 'pxe')).code, 0);
  assert.match(
    (await ipmi('worker-2', 'chassis', 'bootparam', 'get', '5')).stdout,
    /Boot Device Selector : Force PXE/,
  );
  const started = Date.now();
  assert.equal((await ipmi('worker-2', 'chassis', 'power', 'cycle')).code, 0);
  await waitForBoot('worker-2', before.bootId);
  console.log(`worker-2 Ready with a new boot ID ${Date.now() - started} ms after the power cycle`);
  const installs = readInstallLog(lab.stateDir, 'worker-2');
  assert.equal(installs.length, 1);
  assert.equal(installs[0].status, 200);
  assert.equal(installs[0].script, script);
  assert.equal(
    (await cluster.node('worker-2')).cordoned,
    true,
    'a rejoin keeps spec.unschedulable',
  );
  assert.match(
    (await ipmi('worker-2', 'chassis', 'bootparam', 'get', '5')).stdout,
    /Boot Device Selector : No override/,
  );

  const second = await cluster.node('worker-2');
  assert.equal((await ipmi('worker-2', 'chassis', 'power', 'reset')).code, 0);
  await waitForBoot('worker-2', second.bootId);
  assert.equal(readInstallLog(lab.stateDir, 'worker-2').length, 1, 'the next boot is from disk');
  assert.deepEqual(
    readBmcLog(lab.stateDir, 'worker-2').map((c) => `${c.command} => ${c.effect}`),
    [
      'set boot pxe => boot=pxe',
      'set power 0 => off',
      'set power 1 => on boot=pxe',
      'set reset 1 => reset boot=disk',
    ],
  );
  await lab.kubectl('uncordon', 'worker-2');
});

test('a PXE boot with no script published leaves the host in the installer until it is PXE-booted again', async () => {
  const before = await cluster.node('worker-3');
  await ipmi('worker-3', 'chassis', 'bootdev', 'pxe');
  await ipmi('worker-3', 'chassis', 'power', 'reset');
  await waitFor(
    'the install attempt',
    async () => readInstallLog(lab.stateDir, 'worker-3').length === 1,
  );
  const [failed] = readInstallLog(lab.stateDir, 'worker-3');
  assert.equal(failed.status, 404);
  await sleep(3_000); // longer than the boot takes (2 s)
  const stuck = await cluster.node('worker-3');
  assert.equal(stuck.kubelet, 'stopped');
  assert.equal(stuck.bootId, before.bootId);

  await publish('worker-3', '#!/bin/sh\n# custom\n');
  await ipmi('worker-3', 'chassis', 'bootdev', 'pxe');
  await ipmi('worker-3', 'chassis', 'power', 'reset');
  await waitForBoot('worker-3', before.bootId);
  assert.deepEqual(
    readInstallLog(lab.stateDir, 'worker-3').map((r) => [r.status, r.script]),
    [
      [404, undefined],
      [200, '#!/bin/sh\n# custom\n'],
    ],
  );
});

test('fault hung: the BMC stops answering (ipmitool gives up in bounded time) until cleared', async () => {
  setBmcFault(lab.stateDir, 'rack-spare', 'hung', true);
  try {
    const run = await ipmi('rack-spare', 'chassis', 'power', 'status');
    assert.notEqual(run.code, 0);
    assert.ok(run.ms < 10_000, `ipmitool took ${run.ms} ms`);
  } finally {
    setBmcFault(lab.stateDir, 'rack-spare', 'hung', false);
  }
  await waitFor(
    'rack-spare answering again',
    async () => (await ipmi('rack-spare', 'power', 'status')).code === 0,
  );
});

test('fault refuse-boot: bootdev exits 0 but reports the failure, and the boot device stays', async () => {
  setBmcFault(lab.stateDir, 'rack-spare', 'refuse-boot', true);
  try {
    const run = await ipmi('rack-spare', 'chassis', 'bootdev', 'pxe');
    assert.equal(run.code, 0);
    assert.match(run.stderr, /Set Chassis Boot Parameter 5 failed: Unspecified error/);
    assert.match(
      (await ipmi('rack-spare', 'chassis', 'bootparam', 'get', '5')).stdout,
      /No override/,
    );
  } finally {
    setBmcFault(lab.stateDir, 'rack-spare', 'refuse-boot', false);
  }
});

test('fault fail-power: the next power command fails, the one after works', async () => {
  setBmcFault(lab.stateDir, 'rack-spare', 'fail-power', true);
  const failed = await ipmi('rack-spare', 'chassis', 'power', 'off');
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /Set Chassis Power Control to Down\/Off failed: Unspecified error/);
  assert.equal((await ipmi('rack-spare', 'power', 'status')).stdout.trim(), 'Chassis Power is on');
  assert.equal((await ipmi('rack-spare', 'chassis', 'power', 'off')).code, 0);
  assert.equal((await ipmi('rack-spare', 'power', 'status')).stdout.trim(), 'Chassis Power is off');
  assert.deepEqual(commands('rack-spare').slice(-3), [
    'set boot pxe',
    'set power 0',
    'set power 0',
  ]);
});

test('stopping the lab stops every BMC, dnsmasq, nginx and the host physics', async () => {
  const daemons = bareMetalDaemons(lab.stateDir);
  assert.equal(daemons.length, hosts.length + 3, daemons.join(', '));
  assert.ok(daemons.every((d) => isRunning(lab.stateDir, d)));
  await stopLab(lab.stateDir);
  assert.deepEqual(
    daemons.filter((d) => isRunning(lab.stateDir, d)),
    [],
  );
});
