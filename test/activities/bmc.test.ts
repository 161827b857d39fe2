// The BMC and DNS activities against the lab's real ipmi_sim BMCs and dnsmasq, with the secret
// references resolved by a stand-in for Vault.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bmcActivities, type BmcTarget, type PxeBootResult } from '../../activities/bmc/activities';
import { dnsActivities } from '../../activities/dns/activities';
import {
  bmcAddress,
  bmcCredentials,
  pointDnsName,
  readBmcLog,
  readInstallLog,
  setBmcFault,
} from '../../lab';
import { waitFor } from '../../lab/wait';
import { BMC_FAILURES, DNS_FAILURES, INVALID_INPUT } from '../../workflows/api';
import { chooseBmcAddress } from '../../workflows/policy/bmc-address';
import { bmcTarget } from '../support/bmc';
import { ipmitool } from '../support/ipmitool';
import { useLabActivities } from '../support/lab';
import { LabCluster } from '../support/lab-cluster';

const SCENARIO = 'bmc-lab.yaml';
const BMC_OPTIONS = { retries: 1, timeoutSeconds: 1, powerPollMs: 100, powerTimeoutMs: 10_000 };
// The BMC logins come from the lab's OpenBao, as a worker's would.
const ctx = useLabActivities(SCENARIO, { bmc: BMC_OPTIONS });

const target = (host: string, address?: string) => bmcTarget(SCENARIO, host, address);
const log = (host: string) =>
  readBmcLog(ctx.lab.stateDir, host).map((c) => `${c.command} => ${c.effect}`);
/** The BMC's log from now on: what it is sent after this call. */
const logFromNow = (host: string) => {
  const start = log(host).length;
  return () => log(host).slice(start);
};

/**
 * bmcPxeBoot as a worker runs it: the heartbeats it records, and `earlier`, what an earlier
 * attempt recorded, as Temporal hands it to a retry.
 */
function pxeBoot(bmc: BmcTarget, earlier?: unknown) {
  const env = new MockActivityEnvironment({
    heartbeatDetails: earlier,
    attempt: earlier === undefined ? 1 : 2,
  });
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const done: Promise<PxeBootResult> = env.run(ctx.act.bmcPxeBoot, { bmc });
  return { heartbeats, done };
}
const pxeBootOnce = ({ bmc }: { bmc: BmcTarget }) => pxeBoot(bmc).done;

async function failure(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${err}`);
    return err;
  }
  assert.fail('expected a failure');
}

/** The BMC target of a NetBox device, found as a workflow finds it: OOB IP, else DDNS + DNS. */
async function findBmc(device: string, serial: string, oobIp: string | null): Promise<BmcTarget> {
  const choice = chooseBmcAddress({ name: device, serial, oobIp });
  const address =
    choice.kind === 'oob-ip'
      ? choice.address
      : (await ctx.act.resolveName({ name: choice.name })).addresses[0];
  return { ...target(device), address };
}

describe('BMC identity', () => {
  it('finds an in-band BMC by its NetBox OOB IP and reads its serial', async () => {
    const bmc = await findBmc('worker-1', 'SRV-1001', `${bmcAddress(0)}/32`);
    assert.deepEqual(await ctx.act.bmcVerifyIdentity({ bmc }), {
      bmc: `${bmcAddress(0)}:${ctx.lab.bareMetal!.bmc.port}`,
      serial: 'SRV-1001',
      power: 'on',
    });
  });

  it('finds a BMC without OOB IP by its DDNS name through the lab DNS', async () => {
    const bmc = await findBmc('worker-2', 'SRV-1002', null);
    assert.equal(bmc.address, bmcAddress(1));
    assert.equal((await ctx.act.bmcVerifyIdentity({ bmc })).serial, 'SRV-1002');
    // NetBox has it in lowercase; the FRU too: still the same serial.
    const lower = await findBmc('worker-3', 'srv-1003', null);
    assert.equal((await ctx.act.bmcVerifyIdentity({ bmc: lower })).serial, 'srv-1003');
  });

  it("refuses a BMC whose FRU serial is not NetBox's before any power or boot command", async () => {
    const bmc = target('misfit');
    for (const call of [ctx.act.bmcVerifyIdentity, ctx.act.bmcPowerOff, pxeBootOnce]) {
      const err = await failure(call({ bmc }));
      assert.equal(err.type, BMC_FAILURES.identityMismatch);
      assert.equal(err.nonRetryable, true);
      assert.match(
        err.message,
        /reports serial "SRV-4001" but NetBox device misfit has serial "SRV-1004"/,
      );
    }
    assert.deepEqual(log('misfit'), [], 'the BMC got no power or boot command');
  });

  it("refuses a DDNS name that points at another host's BMC (the wrong-serial fault)", async () => {
    const name = 'bmc-srv-1002.oob.lab.steward.dev';
    await pointDnsName(ctx.lab.stateDir, name, bmcAddress(0));
    try {
      const bmc = await findBmc('worker-2', 'SRV-1002', null);
      assert.equal(bmc.address, bmcAddress(0));
      const before = log('worker-1');
      for (const call of [ctx.act.bmcPowerOff, pxeBootOnce]) {
        const err = await failure(call({ bmc }));
        assert.equal(err.type, BMC_FAILURES.identityMismatch);
        assert.match(err.message, /"SRV-1001".*"SRV-1002"/);
      }
      assert.deepEqual(log('worker-1'), before, "worker-1's BMC got no command");
    } finally {
      await pointDnsName(ctx.lab.stateDir, name, bmcAddress(1));
    }
  });

  it('a placeholder serial, in NetBox and the FRU alike, matches nothing: no command reaches the BMC', async () => {
    const bmc = target('oem-board');
    assert.equal(bmc.serial, '0123456789', "NetBox's serial");
    const fru = await ipmitool(ctx.lab, SCENARIO, 'oem-board', ['fru', 'print', '0']);
    assert.match(fru.stdout, /Product Serial\s*: 0123456789/, 'the FRU says the same');
    for (const call of [ctx.act.bmcVerifyIdentity, ctx.act.bmcPowerOff, pxeBootOnce]) {
      const err = await failure(call({ bmc }));
      assert.equal(err.type, BMC_FAILURES.identityMismatch);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /NetBox device oem-board has the placeholder serial "0123456789"/);
    }
    assert.deepEqual(log('oem-board'), [], 'the BMC got no power or boot command');
  });
});

describe('power and boot device', () => {
  it('power off, PXE, power on: each retry after a change does nothing, so the host boots once', async () => {
    const cluster = new LabCluster(ctx.lab.kubeconfigPath);
    const published = await ctx.act.publishBaseScript({ host: 'worker-1', deployment: 'standard' });
    assert.equal(published.changed, true);
    const again = await ctx.act.publishBaseScript({ host: 'worker-1', deployment: 'standard' });
    assert.equal(again.changed, false, 'nginx serves exactly that script already');
    const bootId = (await ctx.act.describeNode({ cluster: 'lab', node: 'worker-1' })).bootId;
    const bmc = target('worker-1');
    // A workflow retries an activity whose worker died after the change: the retry reads the
    // state and sends nothing.
    assert.deepEqual(
      [(await ctx.act.bmcPowerOff({ bmc })).changed, (await ctx.act.bmcPowerOff({ bmc })).changed],
      [true, false],
    );
    assert.equal((await ctx.act.bmcPowerStatus({ bmc })).power, 'off');
    const first = pxeBoot(bmc);
    const booted = await first.done;
    assert.equal(booted.changed, true);
    assert.match(booted.message, /set to boot from PXE \(it had no override\) and powered on/);
    assert.equal(first.heartbeats.length, 1, 'the power-on recorded before it was sent');
    // Its retry (the worker died after the command) finds the host on, and its own record.
    const retried = await pxeBoot(bmc, first.heartbeats[0]).done;
    assert.equal(retried.changed, false);
    assert.match(retried.message, /powered on from PXE at .* \(an earlier attempt\)/);
    assert.deepEqual(log('worker-1'), [
      'set power 0 => off',
      'set boot pxe => boot=pxe',
      'set power 1 => on boot=pxe',
    ]);
    await waitFor('worker-1 back with a new boot ID', async () => {
      const n = await cluster.node('worker-1');
      return (n.ready && n.bootId !== bootId) || JSON.stringify(n);
    });
    const installs = readInstallLog(ctx.lab.stateDir, 'worker-1');
    assert.deepEqual(
      installs.map((r) => [r.status, r.sha256]),
      [[200, published.sha256]],
      'the installer ran exactly the published script, once',
    );
    assert.match(installs[0].script ?? '', /hostnamectl set-hostname 'worker-1'/);
    assert.notEqual(
      (await ctx.act.describeNode({ cluster: 'lab', node: 'worker-1' })).bootId,
      bootId,
    );
  });

  it("catches a refused boot device by reading it back: non-retryable, with the BMC's message, never powered on", async () => {
    const bmc = target('rack-spare');
    await ctx.act.bmcPowerOff({ bmc });
    const sent = logFromNow('rack-spare');
    setBmcFault(ctx.lab.stateDir, 'rack-spare', 'refuse-boot', true);
    try {
      const err = await failure(pxeBootOnce({ bmc }));
      assert.equal(err.type, BMC_FAILURES.refused);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /did not take boot device PXE \(reads back "none"\)/);
      assert.match(err.message, /Set Chassis Boot Parameter 5 failed: Unspecified error/);
      assert.deepEqual(sent(), ['set boot pxe => refused (fault refuse-boot)'], 'no power-on');
    } finally {
      setBmcFault(ctx.lab.stateDir, 'rack-spare', 'refuse-boot', false);
    }
    assert.equal((await pxeBootOnce({ bmc })).changed, true);
  });

  it('a BMC that keeps showing Force PXE after the PXE boot is told again: the next boot is PXE too', async () => {
    const bmc = target('rack-spare');
    setBmcFault(ctx.lab.stateDir, 'rack-spare', 'keeps-boot-device', true);
    try {
      for (const cycle of [1, 2]) {
        await ctx.act.bmcPowerOff({ bmc });
        const sent = logFromNow('rack-spare');
        const booted = await pxeBootOnce({ bmc });
        assert.deepEqual(
          sent(),
          ['set boot pxe => boot=pxe', 'set power 1 => on boot=pxe'],
          `cycle ${cycle}: the BMC's own log`,
        );
        if (cycle === 2) assert.match(booted.message, /it had Force PXE \(invalid\)/);
        const flags = await ipmitool(ctx.lab, SCENARIO, 'rack-spare', [
          ...['chassis', 'bootparam', 'get', '5'],
        ]);
        assert.match(flags.stdout, /Boot Device Selector : Force PXE/, 'a leftover after the boot');
      }
    } finally {
      setBmcFault(ctx.lab.stateDir, 'rack-spare', 'keeps-boot-device', false);
    }
  });

  it("a host powered on by someone else after Steward's power-off is refused, not counted as Steward's boot", async () => {
    const bmc = target('rack-spare');
    await ctx.act.bmcPowerOff({ bmc });
    const sent = logFromNow('rack-spare');
    const other = await ipmitool(ctx.lab, SCENARIO, 'rack-spare', ['chassis', 'power', 'on']);
    assert.equal(other.code, 0, other.stderr);
    const err = await failure(pxeBootOnce({ bmc }));
    assert.equal(err.type, BMC_FAILURES.poweredOnElsewhere);
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      /rack-spare is on before Steward's power-on: someone else powered it on/,
    );
    assert.deepEqual(sent(), ['set power 1 => on boot=disk'], "only the other's power-on");
  });

  it('a hung BMC gives a retryable timeout naming the BMC, in bounded time', async () => {
    const bmc = target('rack-spare');
    setBmcFault(ctx.lab.stateDir, 'rack-spare', 'hung', true);
    const started = Date.now();
    try {
      const err = await failure(ctx.act.bmcPowerStatus({ bmc }));
      const ms = Date.now() - started;
      console.log(`hung BMC: ${err.type} after ${ms} ms: ${err.message}`);
      assert.equal(err.type, BMC_FAILURES.timeout);
      assert.equal(err.nonRetryable, false);
      assert.ok(err.message.includes(`BMC ${bmcAddress(3)}:`), err.message);
      assert.ok(ms < 15_000, `took ${ms} ms`);
    } finally {
      setBmcFault(ctx.lab.stateDir, 'rack-spare', 'hung', false);
    }
  });

  it("keeps the password out of argv: it is only in ipmitool's environment", async () => {
    const { password } = bmcCredentials('rack-spare');
    setBmcFault(ctx.lab.stateDir, 'rack-spare', 'hung', true);
    // Hung, the power status call holds its ipmitool process open for a second or two.
    const call = ctx.act.bmcPowerStatus({ bmc: target('rack-spare') }).catch(() => undefined);
    try {
      let seen: { cmdline: string; environ: string } | undefined;
      await waitFor(
        'ipmitool running',
        async () => {
          seen = processes().find(
            (p) => p.cmdline.startsWith('ipmitool') && p.cmdline.includes(bmcAddress(3)),
          );
          return seen !== undefined;
        },
        { intervalMs: 20 },
      );
      assert.ok(!seen!.cmdline.includes(password), seen!.cmdline);
      assert.ok(seen!.environ.includes(`IPMI_PASSWORD=${password}`));
      assert.ok(processes().every((p) => !p.cmdline.includes(password)));
    } finally {
      setBmcFault(ctx.lab.stateDir, 'rack-spare', 'hung', false);
      await call;
    }
    await sleep(200);
  });

  it('refuses wrong credentials: non-retryable, with neither secret in the message', async () => {
    const wrong = bmcActivities({
      resolveSecret: async (ref) => (ref.endsWith('#password') ? 'wrong-password' : 'steward'),
      options: { ...BMC_OPTIONS, port: ctx.lab.bareMetal!.bmc.port },
    });
    const err = await failure(wrong.bmcPowerStatus({ bmc: target('worker-2') }));
    assert.equal(err.type, BMC_FAILURES.auth);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /refused the login of bmc.credentials: RAKP 2 HMAC is invalid/);
    assert.ok(!err.message.includes('wrong-password'));
    assert.ok(!err.message.includes('steward'), 'the resolved user name is a secret too');
  });

  it('names the bad field of a target', async () => {
    const bmc = target('worker-1');
    for (const [broken, field] of [
      [{ ...bmc, address: '' }, 'bmc.address'],
      [{ ...bmc, serial: ' ' }, 'bmc.serial'],
      [{ ...bmc, credentials: { ...bmc.credentials, password: '' } }, 'bmc.credentials.password'],
    ] as const) {
      const err = await failure(ctx.act.bmcPowerOff({ bmc: broken }));
      assert.equal(err.type, INVALID_INPUT);
      assert.equal((err.details?.[0] as { field: string }).field, field);
    }
  });
});

describe('DNS', () => {
  it('a missing name is non-retryable, a DNS that does not answer is retryable', async () => {
    const missing = await failure(ctx.act.resolveName({ name: 'bmc-nope.oob.lab.steward.dev' }));
    assert.equal(missing.type, DNS_FAILURES.notFound);
    assert.equal(missing.nonRetryable, true);
    assert.match(missing.message, new RegExp(`no such name at ${ctx.lab.bareMetal!.dns.server}`));
    const down = dnsActivities({ servers: ['127.0.0.1:9'], timeoutMs: 300, tries: 1 });
    const err = await failure(down.resolveName({ name: 'bmc-srv-1002.oob.lab.steward.dev' }));
    assert.equal(err.type, DNS_FAILURES.failed);
    assert.equal(err.nonRetryable, false);
  });
});

function processes(): { cmdline: string; environ: string }[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const read = (f: string) => readFileSync(`/proc/${pid}/${f}`, 'utf8').replaceAll('\0', ' ');
        return [{ cmdline: read('cmdline'), environ: read('environ') }];
      } catch {
        return [];
      }
    });
}
