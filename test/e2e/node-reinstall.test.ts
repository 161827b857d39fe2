// Reinstalls of bare-metal hosts end to end, through the CLI, on the lab's real NetBox, OpenBao,
// ipmi_sim BMCs, dnsmasq and provisioning nginx: the installer runs exactly the script of the
// deployment option, the node comes back Ready and uncordoned, NetBox shows the journal; a BMC
// that is not the host's is refused before any power command; a host that never leaves its
// installer waits for an operator with NetBox saying failed; bad input changes nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pointDnsName, readInstallLog, setBmcFault, setNetboxDatabaseRunning } from '../../lab';
import { workflowIds, type NodeReinstallResult } from '../../workflows/api';
import { FIXTURES } from '../support/lab';
import {
  assertNoSecretInHistories,
  labSecrets,
  netboxDevice,
  netboxGet,
  powerCommands,
} from '../support/lab-bare-metal';
import { LabCluster } from '../support/lab-cluster';
import { startTestStack, type TestStack } from '../support/stack';
import { labScriptsDir } from '../../scripts/stack';

const FIXTURE_SCRIPT = join(FIXTURES, 'reinstall-custom-base.sh');
/** The fixture, copied into the worker's scripts directory: the only place custom scripts come from. */
let CUSTOM_SCRIPT: string;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

let stack: TestStack;
let cluster: LabCluster;

before(
  async () => {
    // Three reinstalls run at once here: one more node than the guard's default budget.
    stack = await startTestStack('reinstall-lab.yaml', { guardBudget: 3 });
    cluster = new LabCluster(stack.lab.kubeconfigPath);
    CUSTOM_SCRIPT = join(labScriptsDir(stack.lab.stateDir), 'base.sh');
    copyFileSync(FIXTURE_SCRIPT, CUSTOM_SCRIPT);
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const resultOf = (node: string): Promise<NodeReinstallResult> =>
  stack.client.workflow.getHandle(workflowIds.reinstall(node)).result();

/** An operator's decision through the CLI, and the reinstall's result once it ends. */
async function decide(node: string, decision: 'retry' | 'abort'): Promise<NodeReinstallResult> {
  const run = await stack.steward('decide', workflowIds.reinstall(node), decision);
  assert.equal(run.code, 0, output(run));
  return resultOf(node);
}

async function reinstall(node: string, ...flags: string[]) {
  const run = await stack.steward('reinstall', node, ...flags);
  return { run, result: await resultOf(node) };
}

describe('steward reinstall', () => {
  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = await netboxDevice(stack.lab, 'worker-1');
    const cases: [string[], RegExp][] = [
      [['no-such-host'], /node: no device named "no-such-host" in NetBox/],
      [['worker-1', '--deploy', 'kickstart'], /--deploy: must be standard, none or custom:PATH/],
      [
        ['worker-1', '--deploy', 'custom:/nonexistent/base.sh'],
        /customScript: \/nonexistent\/base.sh: cannot read it on the worker: ENOENT/,
      ],
      [
        ['worker-1', '--deploy', `custom:${FIXTURE_SCRIPT}`],
        /customScript: \S+reinstall-custom-base.sh: not inside provisioning.scriptsDir/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await stack.steward('reinstall', ...args);
      assert.equal(run.code, 2, output(run));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stdout, message, 'a refusal only on stderr');
    }
    assert.deepEqual(await netboxDevice(stack.lab, 'worker-1'), before);
    assert.deepEqual(powerCommands(stack.lab, 'worker-1'), []);
  });

  it('dry run: names the deployment, the script and the BMC with its checked serial', async () => {
    const run = await stack.steward('reinstall', 'worker-2', '--dry-run');
    assert.equal(run.code, 0, output(run));
    assert.match(run.stdout, /deployment +standard/);
    assert.match(
      run.stdout,
      /BMC +127\.0\.1\.2 \(DDNS bmc-lab-w2\.oob\.lab\.steward\.dev\): serial LAB-W2/,
    );
    assert.deepEqual(powerCommands(stack.lab, 'worker-2'), []);
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
      assert.deepEqual(powerCommands(stack.lab, node), [
        'set power 0',
        'set boot pxe',
        'set power 1',
      ]);
      const n = await cluster.node(node);
      assert.ok(n.ready && !n.cordoned, `${node} Ready and uncordoned`);
      assert.notEqual(n.bootId, bootIds[node]);
      const { status, journal } = await netboxDevice(stack.lab, node);
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
    const before = powerCommands(stack.lab, 'worker-1').length;
    const run = await stack.steward('reinstall', 'worker-2', '--detach');
    assert.equal(run.code, 0, output(run));
    const waiting = await stack.steward('watch', workflowIds.reinstall('worker-2'), '--until-wait');
    assert.equal(waiting.code, 3, output(waiting));
    assert.match(waiting.stdout, /serial "LAB-W1" but NetBox device worker-2 has serial "LAB-W2"/);
    assert.equal(
      powerCommands(stack.lab, 'worker-1').length,
      before,
      'no power command to the wrong BMC',
    );
    assert.equal((await netboxDevice(stack.lab, 'worker-2')).status, 'failed');
    assert.equal((await decide('worker-2', 'abort')).outcome, 'aborted');
    await pointDnsName(stack.lab.stateDir, 'bmc-lab-w2.oob.lab.steward.dev', '127.0.1.2');
    // The aborted reinstall's cordon is no later operation's to lift: the operator takes the node
    // back, as the runbook says.
    assert.equal((await stack.steward('uncordon', 'worker-2')).code, 0);
  });

  it('a BMC that refuses the boot device: the step waits with its message; retry after the fix', async () => {
    const installs = readInstallLog(stack.lab.stateDir, 'worker-3').length;
    setBmcFault(stack.lab.stateDir, 'worker-3', 'refuse-boot', true);
    const id = workflowIds.reinstall('worker-3');
    await stack.steward('reinstall', 'worker-3', '--deploy', 'none', '--detach');
    const waiting = await stack.steward('watch', id, '--until-wait');
    assert.equal(waiting.code, 3, output(waiting));
    assert.match(
      waiting.stdout,
      /waiting for an operator: power-on: .*did not take boot device PXE \(reads back "none"\)/,
    );
    assert.equal((await netboxDevice(stack.lab, 'worker-3')).status, 'failed');
    setBmcFault(stack.lab.stateDir, 'worker-3', 'refuse-boot', false);
    const result = await decide('worker-3', 'retry');
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal((await netboxDevice(stack.lab, 'worker-3')).status, 'active');
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
    const result = await decide('worker-1', 'retry');
    assert.equal(result.outcome, 'reinstalled', result.message);
  });

  it('NetBox failing for a while (its database down): the reinstall rides it out', async () => {
    await setNetboxDatabaseRunning(stack.lab.stateDir, false);
    const run = await stack.steward('reinstall', 'worker-2', '--deploy', 'none', '--detach');
    assert.equal(run.code, 0, output(run));
    await sleep(5_000);
    await setNetboxDatabaseRunning(stack.lab.stateDir, true);
    const result = await resultOf('worker-2');
    assert.equal(result.outcome, 'reinstalled', result.message);
    assert.equal((await netboxDevice(stack.lab, 'worker-2')).status, 'active');
  });

  it('a BMC that keeps showing Force PXE after its PXE boot: the next reinstall sets it again, and the host installs again', async () => {
    const host = 'worker-3';
    const installs = readInstallLog(stack.lab.stateDir, host).length;
    const commands = powerCommands(stack.lab, host).length;
    setBmcFault(stack.lab.stateDir, host, 'keeps-boot-device', true);
    try {
      for (const n of [1, 2]) {
        const { run, result } = await reinstall(host, '--deploy', 'none');
        assert.equal(run.code, 0, output(run));
        assert.equal(result.outcome, 'reinstalled', result.message);
        // The host's own record: a boot from disk would have left the installer out.
        assert.equal(
          readInstallLog(stack.lab.stateDir, host).length,
          installs + n,
          `reinstall ${n}`,
        );
      }
    } finally {
      setBmcFault(stack.lab.stateDir, host, 'keeps-boot-device', false);
    }
    const cycle = ['set power 0', 'set boot pxe', 'set power 1'];
    assert.deepEqual(powerCommands(stack.lab, host).slice(commands), [...cycle, ...cycle]);
  });

  it('hosts stuck in their installers: the rejoin wait times out, NetBox says failed, the node stays cordoned; abort reports it, retry once the installer finishes completes', async () => {
    const hosts = ['worker-1', 'worker-2'];
    const installs = hosts.map((h) => readInstallLog(stack.lab.stateDir, h).length);
    const commands = hosts.map((h) => powerCommands(stack.lab, h).length);
    const bootIds = await Promise.all(hosts.map(async (h) => (await cluster.node(h)).bootId));
    for (const host of hosts) {
      setBmcFault(stack.lab.stateDir, host, 'installer-stuck', true);
      const run = await stack.steward(
        'reinstall',
        host,
        '--deploy',
        'none',
        '--rejoin-timeout',
        '15s',
        '--detach',
      );
      assert.equal(run.code, 0, output(run));
    }
    const waits = await Promise.all(
      hosts.map((h) => stack.steward('watch', workflowIds.reinstall(h), '--until-wait')),
    );
    for (const [i, host] of hosts.entries()) {
      assert.equal(waits[i].code, 3, output(waits[i]));
      // Ready may still be the old system's last word: the lease outlives the power-off by ~40 s.
      const reason = new RegExp(
        `rejoin: ${host} not back within 15s \\(Ready (true|false), boot ID unchanged\\)`,
      );
      assert.match(
        waits[i].stdout,
        new RegExp(`waiting for an operator: ${reason.source}; cordoned: ${host}`),
      );
      const { status, journal } = await netboxDevice(stack.lab, host);
      assert.equal(status, 'failed');
      assert.ok(
        journal.some((j) => j.kind.value === 'danger' && reason.test(j.comments)),
        JSON.stringify(journal),
      );
      // Left safe: drained and cordoned, one power cycle into the installer and no other command.
      const n = await cluster.node(host);
      assert.ok(n.cordoned && n.bootId === bootIds[i], `${host} cordoned, not rebooted`);
      assert.deepEqual(powerCommands(stack.lab, host).slice(commands[i]), [
        'set power 0',
        'set boot pxe',
        'set power 1',
      ]);
      assert.equal(readInstallLog(stack.lab.stateDir, host).length, installs[i] + 1);
    }

    const aborted = await decide('worker-1', 'abort');
    assert.equal(aborted.outcome, 'aborted');
    assert.equal(
      aborted.message,
      'reinstall of worker-1 aborted by an operator at rejoin; NetBox says failed; worker-1 stays cordoned',
    );
    assert.equal((await netboxDevice(stack.lab, 'worker-1')).status, 'failed');

    setBmcFault(stack.lab.stateDir, 'worker-2', 'installer-stuck', false);
    const retried = await decide('worker-2', 'retry');
    assert.equal(retried.outcome, 'reinstalled', retried.message);
    assert.equal((await netboxDevice(stack.lab, 'worker-2')).status, 'active');
    const w2 = await cluster.node('worker-2');
    assert.ok(w2.ready && !w2.cordoned, 'worker-2 Ready and uncordoned');

    // The aborted host's installer finishes later; the operator takes it back into service.
    setBmcFault(stack.lab.stateDir, 'worker-1', 'installer-stuck', false);
    assert.equal((await stack.steward('uncordon', 'worker-1')).code, 0);
  });
});

describe('steward reconcile', () => {
  it('a second run on an unchanged lab writes nothing (NetBox changelog)', async () => {
    const changes = async () =>
      (
        await netboxGet<{ count: number }>(
          stack.lab,
          'core/object-changes/?changed_object_type=dcim.device',
        )
      ).count;
    const first = await stack.steward('reconcile', 'run');
    assert.equal(first.code, 0, output(first));
    const before = await changes();
    const second = await stack.steward('reconcile', 'run');
    assert.equal(second.code, 0, output(second));
    assert.match(second.stdout, /devices checked, 0 updated/);
    assert.equal(await changes(), before);
    const { results } = await netboxGet<{
      results: { custom_fields: { kubelet_version: string } }[];
    }>(stack.lab, 'dcim/devices/?name=worker-1');
    assert.equal(
      results[0].custom_fields.kubelet_version,
      (await cluster.node('worker-1')).kubeletVersion,
    );
  });
});

describe('secrets', () => {
  it('appear in no workflow history of the run', async () => {
    const histories = await assertNoSecretInHistories(stack.client, labSecrets(stack.lab));
    assert.ok(histories >= 8, `${histories} histories scanned`);
  });
});
