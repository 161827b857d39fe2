// Reinstalls of bare-metal hosts end to end, through the CLI, on the lab's real NetBox, OpenBao,
// ipmi_sim BMCs, dnsmasq and provisioning nginx: the installer runs exactly the script of the
// deployment option, the node comes back Ready and uncordoned, NetBox shows the journal; a BMC
// that is not the host's is refused before any power command; bad input changes nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bmcCredentials,
  pointDnsName,
  readBmcLog,
  readInstallLog,
  setBmcFault,
  setNetboxDatabaseRunning,
} from '../../lab';
import { workflowIds, type NodeReinstallResult } from '../../workflows/api';
import { FIXTURES } from '../support/lab';
import { LabCluster } from '../support/lab-cluster';
import { startTestStack, type TestStack } from '../support/stack';

const CUSTOM_SCRIPT = join(FIXTURES, 'reinstall-custom-base.sh');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

/** Every string and payload (bytes read as UTF-8) in a history, joined. */
function text(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(text).join('\n');
  return '';
}

let stack: TestStack;
let cluster: LabCluster;

before(
  async () => {
    stack = await startTestStack('reinstall-lab.yaml');
    cluster = new LabCluster(stack.lab.kubeconfigPath);
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

/** NetBox's API as the test sees it; after its database was down NetBox answers 500 once per
 * stale connection it held, so a 5xx is asked again. */
async function netbox<T>(path: string): Promise<T> {
  const { url, tokenFile } = stack.lab.netbox!;
  const token = readFileSync(tokenFile, 'utf8').trim();
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/api/${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status >= 500 && attempt < 5) continue;
    assert.ok(res.ok, `GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  }
}

async function device(name: string) {
  const { results } = await netbox<{
    results: { id: number; status: { value: string } }[];
  }>(`dcim/devices/?name=${name}`);
  const journal = await netbox<{ results: { kind: { value: string }; comments: string }[] }>(
    `extras/journal-entries/?assigned_object_type=dcim.device&assigned_object_id=${results[0].id}`,
  );
  return { status: results[0].status.value, journal: journal.results };
}

const powerCommands = (host: string) =>
  readBmcLog(stack.lab.stateDir, host)
    .map((c) => c.command)
    .filter((c) => c.startsWith('set power') || c.startsWith('set boot'));

async function reinstall(node: string, ...flags: string[]) {
  const run = await stack.steward('reinstall', node, ...flags);
  const result: NodeReinstallResult = await stack.client.workflow
    .getHandle(workflowIds.reinstall(node))
    .result();
  return { run, result };
}

describe('steward reinstall', () => {
  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = await device('worker-1');
    const cases: [string[], RegExp][] = [
      [['no-such-host'], /node: no device named "no-such-host" in NetBox/],
      [['worker-1', '--deploy', 'kickstart'], /--deploy: must be standard, none or custom:PATH/],
      [
        ['worker-1', '--deploy', 'custom:/nonexistent/base.sh'],
        /customScript: cannot read \/nonexistent\/base.sh/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await stack.steward('reinstall', ...args);
      assert.equal(run.code, 2, output(run));
      assert.match(output(run), message);
    }
    assert.deepEqual(await device('worker-1'), before);
    assert.deepEqual(powerCommands('worker-1'), []);
  });

  it('dry run: names the deployment, the script and the BMC with its checked serial', async () => {
    const run = await stack.steward('reinstall', 'worker-2', '--dry-run');
    assert.equal(run.code, 0, output(run));
    assert.match(run.stdout, /deployment +standard/);
    assert.match(
      run.stdout,
      /BMC +127\.0\.1\.2 \(DDNS bmc-lab-w2\.oob\.lab\.steward\.dev\): serial LAB-W2/,
    );
    assert.deepEqual(powerCommands('worker-2'), []);
  });

  it('reinstalls three workers at once, one per deployment option, each with exactly its script', async () => {
    const scripts: Record<string, { flags: string[]; script: (published: string) => boolean }> = {
      'worker-1': { flags: [], script: (s) => s.includes("hostnamectl set-hostname 'worker-1'") },
      'worker-2': { flags: ['--deploy', 'none'], script: (s) => s === '' },
      'worker-3': {
        flags: ['--deploy', `custom:${CUSTOM_SCRIPT}`],
        script: (s) => s === readFileSync(CUSTOM_SCRIPT, 'utf8'),
      },
    };
    const bootIds = Object.fromEntries(
      await Promise.all(Object.keys(scripts).map(async (n) => [n, (await cluster.node(n)).bootId])),
    );
    const runs = await Promise.all(
      Object.entries(scripts).map(([node, { flags }]) => reinstall(node, ...flags)),
    );
    for (const [i, [node, { script }]] of Object.entries(scripts).entries()) {
      const { run, result } = runs[i];
      assert.equal(run.code, 0, output(run));
      assert.equal(result.outcome, 'reinstalled', result.message);
      const installs = readInstallLog(stack.lab.stateDir, node);
      assert.equal(installs.length, 1, `${node} installed once`);
      assert.ok(script(installs[0].script ?? '<none>'), `${node} ran its script`);
      assert.equal(installs[0].sha256, sha256(installs[0].script!));
      assert.deepEqual(powerCommands(node), ['set power 0', 'set boot pxe', 'set power 1']);
      const n = await cluster.node(node);
      assert.ok(n.ready && !n.cordoned, `${node} Ready and uncordoned`);
      assert.notEqual(n.bootId, bootIds[node]);
      const { status, journal } = await device(node);
      assert.equal(status, 'active');
      assert.deepEqual(
        journal.map((j) => j.kind.value).sort(),
        ['info', 'success'],
        JSON.stringify(journal),
      );
    }
  });

  it("refuses a DDNS name that leads to another host's BMC before any power command", async () => {
    await pointDnsName(stack.lab.stateDir, 'bmc-lab-w2.oob.lab.steward.dev', '127.0.1.1');
    const before = powerCommands('worker-1').length;
    const run = await stack.steward('reinstall', 'worker-2', '--detach');
    assert.equal(run.code, 0, output(run));
    const waiting = await stack.steward('watch', workflowIds.reinstall('worker-2'), '--until-wait');
    assert.equal(waiting.code, 3, output(waiting));
    assert.match(waiting.stdout, /serial "LAB-W1" but NetBox device worker-2 has serial "LAB-W2"/);
    assert.equal(powerCommands('worker-1').length, before, 'no power command to the wrong BMC');
    assert.equal((await device('worker-2')).status, 'failed');
    const abort = await stack.steward('decide', workflowIds.reinstall('worker-2'), 'abort');
    assert.equal(abort.code, 0, output(abort));
    const result: NodeReinstallResult = await stack.client.workflow
      .getHandle(workflowIds.reinstall('worker-2'))
      .result();
    assert.equal(result.outcome, 'aborted');
    await pointDnsName(stack.lab.stateDir, 'bmc-lab-w2.oob.lab.steward.dev', '127.0.1.2');
  });

  it('a BMC that refuses the boot device: the step waits with its message; retry after the fix', async () => {
    const installs = readInstallLog(stack.lab.stateDir, 'worker-3').length;
    setBmcFault(stack.lab.stateDir, 'worker-3', 'refuse-boot', true);
    const id = workflowIds.reinstall('worker-3');
    await stack.steward('reinstall', 'worker-3', '--deploy', 'none', '--detach');
    const waiting = await stack.steward('watch', id, '--until-wait');
    assert.equal(waiting.code, 3, output(waiting));
    assert.match(waiting.stdout, /waiting for an operator: pxe: .*/);
    assert.equal((await device('worker-3')).status, 'failed');
    setBmcFault(stack.lab.stateDir, 'worker-3', 'refuse-boot', false);
    assert.equal((await stack.steward('decide', id, 'retry')).code, 0);
    const result: NodeReinstallResult = await stack.client.workflow.getHandle(id).result();
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal((await device('worker-3')).status, 'active');
    assert.equal(readInstallLog(stack.lab.stateDir, 'worker-3').length, installs + 1);
  });

  it('a hung BMC: the step waits naming the BMC and its timeout; retry once it answers', async () => {
    setBmcFault(stack.lab.stateDir, 'worker-1', 'hung', true);
    const id = workflowIds.reinstall('worker-1');
    await stack.steward('reinstall', 'worker-1', '--deploy', 'none', '--detach');
    const waiting = await stack.steward('watch', id, '--until-wait');
    assert.equal(waiting.code, 3, output(waiting));
    assert.match(waiting.stdout, /waiting for an operator: bmc: .*127\.0\.1\.1/);
    setBmcFault(stack.lab.stateDir, 'worker-1', 'hung', false);
    assert.equal((await stack.steward('decide', id, 'retry')).code, 0);
    const result: NodeReinstallResult = await stack.client.workflow.getHandle(id).result();
    assert.equal(result.outcome, 'reinstalled', result.message);
  });

  it('NetBox failing for a while (its database down): the reinstall rides it out', async () => {
    await setNetboxDatabaseRunning(stack.lab.stateDir, false);
    const run = await stack.steward('reinstall', 'worker-2', '--deploy', 'none', '--detach');
    assert.equal(run.code, 0, output(run));
    await sleep(5_000);
    await setNetboxDatabaseRunning(stack.lab.stateDir, true);
    const result: NodeReinstallResult = await stack.client.workflow
      .getHandle(workflowIds.reinstall('worker-2'))
      .result();
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal((await device('worker-2')).status, 'active');
  });
});

describe('steward reconcile', () => {
  it('a second run on an unchanged lab writes nothing (NetBox changelog)', async () => {
    const changes = async () =>
      (await netbox<{ count: number }>('core/object-changes/?changed_object_type=dcim.device'))
        .count;
    const first = await stack.steward('reconcile', 'run');
    assert.equal(first.code, 0, output(first));
    const before = await changes();
    const second = await stack.steward('reconcile', 'run');
    assert.equal(second.code, 0, output(second));
    assert.match(second.stdout, /devices checked, 0 updated/);
    assert.equal(await changes(), before);
    const { results } = await netbox<{ results: { custom_fields: { kubelet_version: string } }[] }>(
      'dcim/devices/?name=worker-1',
    );
    assert.equal(
      results[0].custom_fields.kubelet_version,
      (await cluster.node('worker-1')).kubeletVersion,
    );
  });
});

describe('secrets', () => {
  it('appear in no workflow history of the run', async () => {
    const secrets = [
      bmcCredentials('worker-1').password,
      readFileSync(stack.lab.netbox!.tokenFile, 'utf8').trim(),
      readFileSync(stack.lab.vault!.secretIdFile, 'utf8').trim(),
    ];
    let histories = 0;
    for await (const wf of stack.client.workflow.list()) {
      const history = text(
        await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
      );
      for (const secret of secrets)
        assert.ok(!history.includes(secret), `a secret in ${wf.workflowId}`);
      histories++;
    }
    assert.ok(histories >= 8, `${histories} histories scanned`);
  });
});
