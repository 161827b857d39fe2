// The lab's NetBox and OpenBao for a scenario with hosts, checked with the clients no one here
// wrote (pynetbox, bao) and the servers' own answers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import {
  bmcAddress,
  bmcCredentials,
  freePorts,
  loadScenario,
  startLab,
  stopLab,
  vaultAdminTokenFile,
  type Connection,
} from '../../lab';
import { baoBinary, netboxInstall } from '../../lab/binaries';
import { FIXTURES, startTestLab, type TestLab } from '../support/lab';

const SCENARIO = join(FIXTURES, 'reinstall-lab.yaml');
const hosts = loadScenario(SCENARIO).hosts;
let lab: TestLab;

before(
  async () => {
    const started = Date.now();
    lab = await startTestLab('reinstall-lab.yaml');
    console.log(`lab with NetBox and OpenBao started in ${Date.now() - started} ms`);
  },
  { timeout: 300_000 },
);
after(async () => lab?.stop());

const netbox = () => lab.netbox!;
const vault = () => lab.vault!;
const read = (file: string) => readFileSync(file, 'utf8').trim();

/** Runs pynetbox in NetBox's venv; the token travels in a file named by the environment. */
async function pynetbox(code: string): Promise<unknown> {
  const python = join(netboxInstall().venv, 'bin', 'python');
  const prelude = [
    'import json, os, pynetbox',
    "nb = pynetbox.api(os.environ['NB_URL'], token=open(os.environ['NB_TOKEN_FILE']).read().strip())",
  ].join('\n');
  const { stdout } = await promisify(execFile)(python, ['-c', `${prelude}\n${code}`], {
    env: { NB_URL: netbox().url, NB_TOKEN_FILE: netbox().tokenFile },
  });
  return JSON.parse(stdout);
}

/** Runs the `bao` CLI against the lab, with BAO_TOKEN when given. */
async function bao(args: string[], token?: string): Promise<string> {
  const env = { BAO_ADDR: vault().address, HOME: lab.stateDir, ...(token && { BAO_TOKEN: token }) };
  const { stdout } = await promisify(execFile)(baoBinary(), args, { env });
  return stdout;
}

const workerLogin = () =>
  bao([
    'write',
    '-field=token',
    'auth/approle/login',
    `role_id=@${vault().roleIdFile}`,
    `secret_id=@${vault().secretIdFile}`,
  ]);

test('connection.json names NetBox and Vault; their credentials are files only the owner reads', () => {
  const file = JSON.parse(readFileSync(lab.connectionPath, 'utf8'));
  assert.deepEqual(file.netbox, { url: netbox().url, tokenFile: netbox().tokenFile });
  assert.deepEqual(file.vault, vault());
  for (const path of [netbox().tokenFile, vault().roleIdFile, vault().secretIdFile]) {
    assert.equal(statSync(path).mode & 0o777, 0o600, path);
  }
  assert.match(read(netbox().tokenFile), /^nbt_\w+\.\w+$/);
});

test('pynetbox finds one device per host with serial, status, OOB IP and custom fields', async () => {
  const devices = (await pynetbox(`
print(json.dumps([{
  'name': d.name, 'serial': d.serial, 'status': d.status.value,
  'oob_ip': d.oob_ip.address if d.oob_ip else None,
  'deployment_option': d.custom_fields['deployment_option']['value'],
  'custom_base_script': d.custom_fields['custom_base_script'],
  'kubelet_version': d.custom_fields['kubelet_version'],
} for d in nb.dcim.devices.all()]))`)) as { name: string }[];
  const expected = hosts.map((h, i) => ({
    name: h.name,
    serial: h.serial,
    status: h.status,
    oob_ip: h.bmc === 'in-band' ? `${bmcAddress(i)}/32` : null,
    deployment_option: h.deployment,
    custom_base_script: h.baseScript ? join(FIXTURES, h.baseScript) : null,
    kubelet_version: null,
  }));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  assert.deepEqual(devices.sort(byName), expected.sort(byName));
  assert.equal(readFileSync(join(FIXTURES, 'reinstall-custom-base.sh'), 'utf8').length > 0, true);
});

test('bao logs in as steward-worker and reads the BMC credentials and the NetBox token, nothing else', async () => {
  const token = await workerLogin();
  for (const host of hosts) {
    const secret = JSON.parse(
      await bao(['kv', 'get', '-format=json', `secret/bmc/${host.name}`], token),
    );
    assert.deepEqual(secret.data.data, bmcCredentials(host.name), host.name);
  }
  assert.equal(
    await bao(['kv', 'get', '-field=token', 'secret/netbox'], token),
    read(netbox().tokenFile),
  );
  const lookup = JSON.parse(await bao(['token', 'lookup', '-format=json'], token));
  assert.deepEqual(lookup.data.policies, ['default', 'steward-worker']);
  for (const denied of [
    ['kv', 'put', 'secret/bmc/worker-1', 'password=stolen'],
    ['kv', 'get', 'secret/other'],
    ['policy', 'read', 'steward-worker'],
  ]) {
    await assert.rejects(bao(denied, token), /permission denied/, denied.join(' '));
  }
});

test('the dev root token the server logged is revoked; no other secret is in a log or a pid file', async () => {
  const logs = join(lab.stateDir, 'logs');
  const vaultLog = readFileSync(join(logs, 'openbao.log'), 'utf8');
  const rootToken = /Root Token: (\S+)/.exec(vaultLog)?.[1];
  assert.ok(rootToken, 'the dev server logs its root token');
  await assert.rejects(bao(['token', 'lookup'], rootToken), /permission denied|bad token/);
  assert.ok((await bao(['token', 'lookup'], read(vaultAdminTokenFile(lab.stateDir)))).length > 0);

  const secrets = [
    read(netbox().tokenFile),
    read(netbox().tokenFile).split('.')[1],
    read(vault().secretIdFile),
    read(vaultAdminTokenFile(lab.stateDir)),
    ...hosts.map((h) => bmcCredentials(h.name).password),
  ];
  for (const dir of [logs, join(lab.stateDir, 'pids')]) {
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8');
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in ${dir}/${name}`);
    }
  }
});

test('a second start resumes NetBox with its changes and seeds Vault anew', async () => {
  await pynetbox(`
d = nb.dcim.devices.get(name='spare')
d.status = 'offline'
d.save()
print('{}')`);
  await stopLab(lab.stateDir);
  const started = Date.now();
  let again: Connection;
  try {
    again = await startLab({
      stateDir: lab.stateDir,
      scenarioPath: SCENARIO,
      ports: await freePorts(),
    });
  } finally {
    console.log(`lab restarted in ${Date.now() - started} ms`);
  }
  Object.assign(lab, again);
  const spare = (await pynetbox(
    "d = nb.dcim.devices.get(name='spare'); print(json.dumps([d.status.value, nb.dcim.devices.count()]))",
  )) as [string, number];
  assert.deepEqual(spare, ['offline', hosts.length]);
  const token = await workerLogin();
  const secret = await bao(['kv', 'get', '-field=password', 'secret/bmc/worker-2'], token);
  assert.equal(secret, bmcCredentials('worker-2').password);
});
