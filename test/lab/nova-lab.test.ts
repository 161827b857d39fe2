// The lab's real OpenStack with real clients: the `openstack` CLI sees services, hypervisors and
// servers as on any cloud; a compute that dies, a partition and a BMC power-off show as Nova
// shows them; an evacuation through the real API moves instances, and with no capacity left it
// answers 200 and leaves the instance in ERROR. One lab for the whole file (start-up is CPU-bound).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setComputeRunning, setComputeServicesEnabled } from '../../lab';
import { isRunning } from '../../lab/daemon';
import { computeDaemon } from '../../lab/nova';
import { waitFor } from '../../lab/wait';
import { ipmitool } from '../support/ipmitool';
import { startTestLab, type TestLab } from '../support/lab';
import {
  adminApi,
  computeServices,
  listServers,
  openstackCli,
  openstackRun,
  type ApiService,
} from '../support/openstack';
import { vaultAdmin } from '../support/vault';

const SCENARIO = 'nova-lab.yaml';
const HYPERVISORS = ['hv-1', 'hv-2', 'hv-3', 'hv-4'];
/** A nova-compute's start is CPU-bound: up ~11 s after it starts on an idle machine, minutes at a load of 20. */
const COMPUTE_START_MS = 300_000;
let lab: TestLab;

before(
  async () => {
    const started = Date.now();
    lab = await startTestLab(SCENARIO);
    console.log(
      `nova lab with ${HYPERVISORS.length} hypervisors started in ${Date.now() - started} ms`,
    );
  },
  { timeout: 900_000 },
);
after(async () => lab?.stop());

const os = () => lab.openstack!;
const service = async (host: string) => {
  const found = (await computeServices(os())).find((s) => s.host === host);
  assert.ok(found, `a compute service on ${host}`);
  return found;
};
const waitForState = (hosts: string[], state: ApiService['state'], timeoutMs = 60_000) =>
  waitFor(
    `${hosts.join(', ')} ${state}`,
    async () => {
      const services = await computeServices(os());
      const wrong = hosts.filter((h) => services.find((s) => s.host === h)?.state !== state);
      return wrong.length === 0 || `not ${state}: ${wrong.join(', ')}`;
    },
    { timeoutMs, intervalMs: 500 },
  );
const forceDown = (host: string, down: boolean) =>
  openstackRun(os(), [
    '--os-compute-api-version',
    '2.53',
    'compute',
    'service',
    'set',
    down ? '--down' : '--up',
    host,
    'nova-compute',
  ]);
const evacuate = (serverId: string) =>
  adminApi(os()).call(
    'POST',
    `${os().computeUrl}/servers/${serverId}/action`,
    { evacuate: {} },
    {
      microversion: '2.93',
    },
  );
const evacuation = async (serverId: string) =>
  (
    await adminApi(os()).call<{ migrations: { status: string; source_compute: string }[] }>(
      'GET',
      `${os().computeUrl}/os-migrations?instance_uuid=${serverId}&migration_type=evacuation`,
      undefined,
      { microversion: '2.59' },
    )
  ).migrations;
const waitForEvacuation = (serverId: string, statuses: string[]) =>
  waitFor(
    `evacuation of ${serverId} ${statuses.join('/')}`,
    async () => {
      const latest = (await evacuation(serverId))[0];
      return statuses.includes(latest?.status) || `migration ${latest?.status}`;
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
async function restore(host: string) {
  await setComputeRunning(lab.stateDir, [host], true);
  // Zed refuses to force a host up while `done` evacuations from it remain; its restarted compute
  // moves them to `completed` first.
  await waitFor(`${host} forced up`, async () => (await forceDown(host, false), true), {
    timeoutMs: COMPUTE_START_MS,
    intervalMs: 1_000,
  });
  await waitForState([host], 'up', COMPUTE_START_MS);
}

test("connection.json and clouds.yaml: the admin and Steward log in; Steward's password is in Vault only", async () => {
  const file = JSON.parse(readFileSync(lab.connectionPath, 'utf8'));
  assert.deepEqual(file.openstack, os());
  assert.equal(os().steward.passwordRef, 'vault:secret/data/openstack/steward#password');
  assert.doesNotMatch(readFileSync(lab.connectionPath, 'utf8'), /password"?\s*:\s*"[^/]/);
  const secret = await vaultAdmin(lab)<{ data: { data: { username: string; password: string } } }>(
    'GET',
    'secret/data/openstack/steward',
  );
  assert.equal(secret.data.data.username, 'steward');
  assert.match(readFileSync(os().cloudsYaml, 'utf8'), new RegExp(secret.data.data.password));
  const token = await openstackCli<{ user_id: string; project_id: string }>(
    os(),
    ['token', 'issue'],
    'lab-steward',
  );
  assert.ok(token.user_id && token.project_id);
});

test('the openstack CLI lists services, hypervisors and servers, spread over the hosts', async () => {
  const services = await openstackCli<{ Binary: string; Host: string; State: string }[]>(os(), [
    'compute',
    'service',
    'list',
  ]);
  const computes = services.filter((s) => s.Binary === 'nova-compute');
  assert.deepEqual(computes.map((s) => s.Host).sort(), HYPERVISORS);
  assert.ok(
    services.every((s) => s.State === 'up'),
    JSON.stringify(services),
  );
  for (const binary of ['nova-conductor', 'nova-scheduler'])
    assert.ok(
      services.some((s) => s.Binary === binary),
      binary,
    );

  const hypervisors = await openstackCli<{ 'Hypervisor Hostname': string; State: string }[]>(os(), [
    'hypervisor',
    'list',
  ]);
  assert.deepEqual(hypervisors.map((h) => h['Hypervisor Hostname']).sort(), HYPERVISORS);

  const servers = await listServers(os());
  assert.equal(servers.length, 8);
  assert.ok(
    servers.every((s) => s.Status === 'ACTIVE'),
    JSON.stringify(servers),
  );
  for (const host of HYPERVISORS)
    assert.equal(servers.filter((s) => s.Host === host).length, 2, `two instances on ${host}`);
});

test('a compute that dies while its BMC says on goes down; several at once (a partition) too', async () => {
  await setComputeRunning(lab.stateDir, ['hv-3'], false);
  const power = await ipmitool(lab, SCENARIO, 'hv-3', ['chassis', 'power', 'status']);
  assert.equal(power.stdout.trim(), 'Chassis Power is on');
  await waitForState(['hv-3'], 'down');
  await setComputeRunning(lab.stateDir, ['hv-2', 'hv-4'], false);
  await waitForState(['hv-2', 'hv-3', 'hv-4'], 'down');
  assert.equal((await service('hv-1')).state, 'up');
  await setComputeRunning(lab.stateDir, ['hv-2', 'hv-3', 'hv-4'], true);
  await waitForState(['hv-2', 'hv-3', 'hv-4'], 'up', COMPUTE_START_MS);
});

test("a BMC power-off stops the host's nova-compute; power-on starts it again", async () => {
  const off = await ipmitool(lab, SCENARIO, 'hv-4', ['chassis', 'power', 'off']);
  assert.equal(off.code, 0, off.stderr);
  await waitFor(
    'nova-compute of hv-4 gone',
    async () => !isRunning(lab.stateDir, computeDaemon('hv-4')),
  );
  await waitForState(['hv-4'], 'down');
  const on = await ipmitool(lab, SCENARIO, 'hv-4', ['chassis', 'power', 'on']);
  assert.equal(on.code, 0, on.stderr);
  await waitFor('nova-compute of hv-4 running', async () =>
    isRunning(lab.stateDir, computeDaemon('hv-4')),
  );
  await waitForState(['hv-4'], 'up', COMPUTE_START_MS);
});

test('evacuation through the real API: refused while the host is up; after a forced down every instance moves', async () => {
  const onHost = (await listServers(os())).filter((s) => s.Host === 'hv-1');
  assert.equal(onHost.length, 2);
  await assert.rejects(
    evacuate(onHost[0].ID),
    /HTTP 400 .*Compute service of hv-1 is still in use/,
  );

  await setComputeRunning(lab.stateDir, ['hv-1'], false);
  await forceDown('hv-1', true);
  const hv1 = await service('hv-1');
  assert.deepEqual([hv1.state, hv1.forced_down], ['down', true]);
  for (const s of onHost) await evacuate(s.ID);
  for (const s of onHost) await waitForEvacuation(s.ID, ['done']);

  const after = await listServers(os());
  for (const s of onHost) {
    const now = after.find((a) => a.ID === s.ID);
    assert.equal(now?.Status, 'ACTIVE');
    assert.notEqual(now?.Host, 'hv-1');
    assert.deepEqual(
      (await evacuation(s.ID)).map((m) => m.source_compute),
      ['hv-1'],
    );
  }
  await restore('hv-1');
});

test('no capacity left elsewhere: the evacuate POST answers 200, the instance goes to ERROR on its host; it moves once capacity returns', async () => {
  const [victim] = (await listServers(os())).filter((s) => s.Host === 'hv-2');
  const others = HYPERVISORS.filter((h) => h !== 'hv-2');
  await setComputeRunning(lab.stateDir, ['hv-2'], false);
  await forceDown('hv-2', true);
  await setComputeServicesEnabled(os(), others, false);
  try {
    await evacuate(victim.ID);
    await waitForEvacuation(victim.ID, ['error', 'failed']);
    const stuck = (await listServers(os())).find((s) => s.ID === victim.ID);
    assert.deepEqual([stuck?.Status, stuck?.Host], ['ERROR', 'hv-2']);
  } finally {
    await setComputeServicesEnabled(os(), others, true);
  }
  await evacuate(victim.ID);
  await waitForEvacuation(victim.ID, ['done']);
  const moved = (await listServers(os())).find((s) => s.ID === victim.ID);
  assert.equal(moved?.Status, 'ACTIVE');
  assert.notEqual(moved?.Host, 'hv-2');
  await restore('hv-2');
});
