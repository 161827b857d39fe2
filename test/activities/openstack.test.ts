// The OpenStack activities against the lab's real Keystone and Nova (Zed), logged in as Steward's
// own user whose password they read from the lab's Vault. The `openstack` CLI is the witness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { OpenStackClient } from '../../activities/openstack/client';
import { KeystoneTokenCache } from '../../activities/openstack/keystone';
import type { MoveFacts } from '../../activities/openstack/moves';
import { VaultClient } from '../../activities/vault/client';
import { setComputeRunning } from '../../lab';
import { waitFor } from '../../lab/wait';
import type { Activities } from '../../activities';
import { INVALID_INPUT, OPENSTACK_FAILURES } from '../../workflows/api';
import { useLabActivities } from '../support/lab';
import { labOpenStackConfig } from '../../scripts/stack';
import { computeServices, listServers, openstackCli, openstackRun } from '../support/openstack';

const ctx = useLabActivities('nova-lab.yaml');
const region = 'lab';
const os = () => ctx.lab.openstack!;
const HYPERVISORS = ['hv-1', 'hv-2', 'hv-3', 'hv-4'];

/** A client of Steward's own, with its token cache in view. */
function stewardClient(tokens = new KeystoneTokenCache()) {
  const vault = new VaultClient(ctx.lab.vault!);
  return new OpenStackClient(
    { lab: labOpenStackConfig(os()) },
    (ref) => vault.readSecret(ref),
    tokens,
  );
}
const listServices = (client: OpenStackClient) =>
  client.request<{ services: unknown[] }>(region, 'compute', 'GET', '/os-services', {
    microversion: '2.53',
  });

const awaitEvacuation = (serverId: string, sourceHost: string) =>
  new MockActivityEnvironment().run(ctx.act.awaitEvacuation, {
    region,
    serverId,
    sourceHost,
    pollMs: 250,
  }) as Promise<MoveFacts>;

const waitForComputeState = (host: string, state: 'up' | 'down') =>
  waitFor(
    `${host} ${state}`,
    async () => (await computeServices(os())).find((s) => s.host === host)?.state === state,
    // A nova-compute's start is CPU-bound: ~11 s on an idle machine, minutes at a load of 20.
    { timeoutMs: 300_000, intervalMs: 500 },
  );

async function restore(host: string) {
  await setComputeRunning(ctx.lab.stateDir, [host], true);
  // Refused (OpenStackPending) until the restarted compute has completed the evacuations from it.
  await waitFor(
    `${host} forced up`,
    async () => (
      await ctx.act.setComputeServiceForcedDown({ region, host, forcedDown: false }),
      true
    ),
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  await waitForComputeState(host, 'up');
}

const evacuateActions = async (serverId: string) =>
  (await ctx.act.listInstanceActions({ region, serverId })).filter((a) => a.action === 'evacuate');

describe('Keystone tokens', () => {
  it('one login serves many calls; a revoked token is dropped and replaced by exactly one new login', async () => {
    const client = stewardClient();
    await listServices(client);
    await listServices(client);
    assert.equal(client.tokens.logins, 1);

    const vault = new VaultClient(ctx.lab.vault!);
    const credentials = {
      authUrl: os().authUrl,
      username: os().steward.username,
      userDomain: 'Default',
      project: os().steward.project,
      projectDomain: 'Default',
    };
    const { token } = await client.tokens.token(credentials, () =>
      vault.readSecret(os().steward.passwordRef),
    );
    // The admin revokes Steward's token, as an operator or a key rotation would.
    const admin = await openstackCli<{ id: string }>(os(), ['token', 'issue']);
    const revoke = await fetch(`${os().authUrl}/auth/tokens`, {
      method: 'DELETE',
      headers: { 'X-Auth-Token': admin.id, 'X-Subject-Token': token },
    });
    assert.equal(revoke.status, 204);

    const { services } = await listServices(client);
    assert.ok(services.length >= HYPERVISORS.length);
    assert.equal(client.tokens.logins, 2, 'one re-authentication after the 401');
    await listServices(client);
    assert.equal(client.tokens.logins, 2);
  });

  it('a token is renewed before it expires: a new login once less than renewBefore is left', async () => {
    let now = Date.now();
    const client = stewardClient(
      new KeystoneTokenCache({ renewBeforeMs: 5 * 60_000, now: () => now }),
    );
    await listServices(client);
    now += 50 * 60_000; // Keystone's tokens last an hour in the lab: 10 minutes left
    await listServices(client);
    assert.equal(client.tokens.logins, 1);
    now += 6 * 60_000; // 4 minutes left
    await listServices(client);
    assert.equal(client.tokens.logins, 2);
  });

  it('a wrong password is a non-retryable login failure naming user and scope, never the password', async () => {
    const client = new OpenStackClient(
      { lab: labOpenStackConfig(os()) },
      async () => 'wrong-secret',
    );
    await assert.rejects(listServices(client), (err: ApplicationFailure) => {
      assert.equal(err.type, OPENSTACK_FAILURES.loginFailed);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /Default\/steward scoped to Default\/admin: HTTP 401/);
      assert.doesNotMatch(err.message, /wrong-secret/);
      return true;
    });
  });
});

describe('Nova reads', () => {
  it('services, hypervisors and servers agree with the openstack CLI', async () => {
    const services = await ctx.act.listComputeServices({ region });
    const cli = await openstackCli<{ ID: string; Host: string; State: string; Status: string }[]>(
      os(),
      [
        '--os-compute-api-version',
        '2.53',
        'compute',
        'service',
        'list',
        '--service',
        'nova-compute',
      ],
    );
    assert.deepEqual(
      services.map((s) => [s.id, s.host, s.state, s.status]).sort(),
      cli.map((s) => [s.ID, s.Host, s.State, s.Status]).sort(),
    );
    const hypervisors = await ctx.act.listHypervisors({ region });
    assert.deepEqual(hypervisors.map((h) => h.hostname).sort(), HYPERVISORS);
    const all = await listServers(os());
    for (const host of HYPERVISORS) {
      const onHost = await ctx.act.listServersOnHost({ region, host });
      assert.deepEqual(
        onHost.map((s) => s.id).sort(),
        all
          .filter((s) => s.Host === host)
          .map((s) => s.ID)
          .sort(),
      );
      assert.equal(hypervisors.find((h) => h.hostname === host)?.runningVms, onHost.length);
    }
  });

  it('an unknown region is bad input; an unknown host is not found; neither is retried', async () => {
    await assert.rejects(
      ctx.act.listComputeServices({ region: 'nowhere' }),
      (err: ApplicationFailure) => {
        assert.equal(err.type, INVALID_INPUT);
        assert.match(err.message, /region: no OpenStack region "nowhere".*known: lab/);
        return true;
      },
    );
    await assert.rejects(
      ctx.act.setComputeServiceForcedDown({ region, host: 'hv-9', forcedDown: true }),
      (err: ApplicationFailure) =>
        err.type === OPENSTACK_FAILURES.notFound && err.nonRetryable && /hv-9/.test(err.message),
    );
  });
});

describe('Nova writes', () => {
  it('force down and disable with a reason, each only once; the CLI sees both; undone the same way', async () => {
    const down = await ctx.act.setComputeServiceForcedDown({
      region,
      host: 'hv-3',
      forcedDown: true,
    });
    assert.deepEqual(
      [down.changed, down.service.forcedDown, down.service.state],
      [true, true, 'down'],
    );
    assert.equal(
      (await ctx.act.setComputeServiceForcedDown({ region, host: 'hv-3', forcedDown: true }))
        .changed,
      false,
    );

    const reason = 'steward: evacuating hv-3';
    const off = await ctx.act.setComputeServiceEnabled({
      region,
      host: 'hv-3',
      enabled: false,
      reason,
    });
    assert.deepEqual(
      [off.changed, off.service.status, off.service.disabledReason],
      [true, 'disabled', reason],
    );
    assert.equal(
      (await ctx.act.setComputeServiceEnabled({ region, host: 'hv-3', enabled: false, reason }))
        .changed,
      false,
    );
    const cli = await openstackCli<
      { Host: string; Status: string; State: string; 'Disabled Reason': string }[]
    >(os(), ['compute', 'service', 'list', '--service', 'nova-compute', '--long']);
    const hv3 = cli.find((s) => s.Host === 'hv-3');
    assert.deepEqual(
      [hv3?.Status, hv3?.State, hv3?.['Disabled Reason']],
      ['disabled', 'down', reason],
    );
    // A person's reason is kept (the CLI writes it, Nova's API is the witness).
    await openstackRun(os(), [
      'compute',
      'service',
      'set',
      '--disable',
      '--disable-reason',
      'RMA 4711',
      'hv-3',
      'nova-compute',
    ]);
    const kept = await ctx.act.setComputeServiceEnabled({
      region,
      host: 'hv-3',
      enabled: false,
      reason: 'failed 2026-12-07T07:00:00.000Z; fenced and evicted by Steward (evict/lab/hv-3)',
    });
    assert.deepEqual([kept.changed, kept.keptReason], [false, true]);
    const witness = (await computeServices(os())).find((s) => s.host === 'hv-3');
    assert.equal(witness?.disabled_reason, 'RMA 4711');
    // Nor does an enable (a reinstall's, at its end) clear it: the person does.
    const stays = await ctx.act.setComputeServiceEnabled({ region, host: 'hv-3', enabled: true });
    assert.deepEqual([stays.changed, stays.keptReason], [false, true]);
    const still = (await computeServices(os())).find((s) => s.host === 'hv-3');
    assert.deepEqual([still?.status, still?.disabled_reason], ['disabled', 'RMA 4711']);
    await openstackRun(os(), ['compute', 'service', 'set', '--enable', 'hv-3', 'nova-compute']);
    // A service Steward disabled, Steward enables again.
    await ctx.act.setComputeServiceEnabled({
      region,
      host: 'hv-3',
      enabled: false,
      reason: 'reinstall by Steward (reinstall/lab/hv-3)',
    });
    assert.equal(
      (await ctx.act.setComputeServiceEnabled({ region, host: 'hv-3', enabled: true })).changed,
      true,
    );
    assert.equal(
      (await ctx.act.setComputeServiceForcedDown({ region, host: 'hv-3', forcedDown: false }))
        .changed,
      true,
    );
    await waitForComputeState('hv-3', 'up');
  });

  it('evacuation: posted once per instance even when asked again mid-rebuild; finished by its migration; one evacuate action each', async () => {
    const servers = await ctx.act.listServersOnHost({ region, host: 'hv-1' });
    assert.ok(servers.length >= 2);
    await setComputeRunning(ctx.lab.stateDir, ['hv-1'], false);
    await ctx.act.setComputeServiceForcedDown({ region, host: 'hv-1', forcedDown: true });
    for (const s of servers) {
      const first = await ctx.act.evacuateServer({ region, serverId: s.id, sourceHost: 'hv-1' });
      assert.equal(first.posted, true, first.reason);
      assert.ok(first.migration, 'the migration record exists once the POST answered');
      // A retry or a crashed worker asks again: Nova would accept a second POST, Steward does not.
      const again = await ctx.act.evacuateServer({ region, serverId: s.id, sourceHost: 'hv-1' });
      assert.equal(again.posted, false);
      // Mid-rebuild, or already rebuilt elsewhere when the machine is quick: either way no POST.
      assert.match(
        again.reason,
        new RegExp(`evacuation ${first.migration.uuid} is |the instance is on hv-\\d, not hv-1`),
      );
    }
    for (const s of servers) {
      const done = await awaitEvacuation(s.id, 'hv-1');
      assert.equal(done.moved, true, JSON.stringify(done));
      assert.equal(done.migration?.status, 'done');
      const after = await ctx.act.evacuateServer({ region, serverId: s.id, sourceHost: 'hv-1' });
      assert.equal(after.posted, false);
      assert.equal((await evacuateActions(s.id)).length, 1);
      assert.equal(
        (await ctx.act.listMigrations({ region, serverId: s.id, type: 'evacuation' })).length,
        1,
      );
    }
    const cli = await listServers(os());
    for (const s of servers) {
      const row = cli.find((c) => c.ID === s.id);
      assert.equal(row?.Status, 'ACTIVE');
      assert.notEqual(row?.Host, 'hv-1');
    }
    await restore('hv-1');
  });

  it('no capacity: the POST is accepted, the migration errs, the instance is ERROR on its host; once capacity returns it moves', async () => {
    const [victim] = await ctx.act.listServersOnHost({ region, host: 'hv-2' });
    const others = HYPERVISORS.filter((h) => h !== 'hv-2');
    await setComputeRunning(ctx.lab.stateDir, ['hv-2'], false);
    await ctx.act.setComputeServiceForcedDown({ region, host: 'hv-2', forcedDown: true });
    for (const host of others)
      await ctx.act.setComputeServiceEnabled({
        region,
        host,
        enabled: false,
        reason: 'test: no capacity',
      });
    try {
      const posted = await ctx.act.evacuateServer({
        region,
        serverId: victim.id,
        sourceHost: 'hv-2',
      });
      assert.equal(posted.posted, true);
      const failed = await awaitEvacuation(victim.id, 'hv-2');
      assert.deepEqual(
        [
          failed.finished,
          failed.moved,
          failed.migration?.status,
          failed.server.status,
          failed.server.host,
        ],
        [true, false, 'error', 'ERROR', 'hv-2'],
      );
      assert.match(failed.server.fault ?? '', /No valid host was found/);
    } finally {
      // Disabled with a reason not Steward's, they are a person's to enable again.
      for (const host of others)
        await openstackRun(os(), ['compute', 'service', 'set', '--enable', host, 'nova-compute']);
    }
    const retry = await ctx.act.evacuateServer({ region, serverId: victim.id, sourceHost: 'hv-2' });
    assert.equal(retry.posted, true, 'an evacuation that erred may be posted again');
    const moved = await awaitEvacuation(victim.id, 'hv-2');
    assert.equal(moved.moved, true, JSON.stringify(moved));
    assert.equal((await evacuateActions(victim.id)).length, 2);
    await restore('hv-2');
    // The witness: the CLI shows it ACTIVE elsewhere.
    const row = (await listServers(os())).find((s) => s.ID === victim.id);
    assert.deepEqual([row?.Status, row?.Host === 'hv-2'], ['ACTIVE', false]);
  });
});

describe('Emptying a running hypervisor (a reinstall)', () => {
  const awaitMigration = (serverId: string, kind: 'live-migration' | 'migration') =>
    new MockActivityEnvironment().run(ctx.act.awaitMigration, {
      region,
      serverId,
      sourceHost: 'hv-4',
      kind,
      pollMs: 250,
    }) as Promise<MoveFacts>;
  /** The instance's moves as Nova's instance actions record them (earlier tests evacuated some). */
  const moveActions = async (serverId: string) =>
    (await ctx.act.listInstanceActions({ region, serverId }))
      .map((a) => a.action)
      .filter((a) => ['live-migration', 'migrate', 'confirmResize'].includes(a))
      .sort();

  it('a running instance moves live, a stopped one cold (confirmed): each posted once, finished by its migration record', async () => {
    const [running, stopped] = await ctx.act.listServersOnHost({ region, host: 'hv-4' });
    assert.ok(running && stopped, 'two instances on hv-4');
    await openstackRun(os(), ['server', 'stop', stopped.id]);
    await waitFor(
      `${stopped.name} SHUTOFF`,
      async () => (await listServers(os())).find((s) => s.ID === stopped.id)?.Status === 'SHUTOFF',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const cases = [
      { server: running, kind: 'live-migration', status: 'ACTIVE', last: 'completed' },
      { server: stopped, kind: 'migration', status: 'SHUTOFF', last: 'confirmed' },
    ] as const;
    for (const { server, kind, status, last } of cases) {
      const ref = { region, serverId: server.id, sourceHost: 'hv-4', kind };
      const first = await ctx.act.migrateServer(ref);
      assert.equal(first.posted, true, first.reason);
      const again = await ctx.act.migrateServer(ref);
      assert.equal(
        again.posted,
        false,
        'a retry posts nothing while the first is under way or done',
      );
      const facts = await awaitMigration(server.id, kind);
      assert.equal(facts.moved, true, JSON.stringify(facts));
      assert.deepEqual(
        [facts.migration?.status, facts.server.status, facts.server.host === 'hv-4'],
        [last, status, false],
      );
      assert.equal((await ctx.act.migrateServer(ref)).posted, false);
      assert.equal(
        (await ctx.act.listMigrations({ region, serverId: server.id, type: kind })).length,
        1,
      );
      const row = (await listServers(os())).find((s) => s.ID === server.id);
      assert.deepEqual([row?.Status, row?.Host], [status, facts.server.host]);
    }
    assert.deepEqual(await moveActions(running.id), ['live-migration']);
    assert.deepEqual(await moveActions(stopped.id), ['confirmResize', 'migrate']);
  });

  it("the restarted nova-compute is awaited by a heartbeat newer than the old system's; a forced-down host is forced up", async () => {
    const heartbeat = async () =>
      (await ctx.act.listComputeServices({ region, host: 'hv-4' }))[0].updatedAt;
    const rejoined = (lastHeartbeat: string | null, deadlineMs: number) =>
      new MockActivityEnvironment().run(ctx.act.awaitComputeRejoined, {
        region,
        host: 'hv-4',
        lastHeartbeat,
        deadlineMs,
        pollMs: 250,
      }) as ReturnType<Activities['awaitComputeRejoined']>;
    await setComputeRunning(ctx.lab.stateDir, ['hv-4'], false);
    await ctx.act.setComputeServiceForcedDown({ region, host: 'hv-4', forcedDown: true });
    const last = await heartbeat();
    const cut = await rejoined(last, Date.now() + 3_000);
    // Nova may still say up (the last report is recent): no report since is what counts.
    assert.deepEqual([cut.reached, cut.service.forcedDown], [false, false]);

    await setComputeRunning(ctx.lab.stateDir, ['hv-4'], true);
    const back = await rejoined(last, Date.now() + 300_000);
    assert.deepEqual(
      [back.reached, back.service.state, back.service.forcedDown],
      [true, 'up', false],
    );
    assert.notEqual(back.service.updatedAt, last);
    const hv4 = (await computeServices(os())).find((s) => s.host === 'hv-4');
    assert.deepEqual([hv4?.state, hv4?.forced_down], ['up', false]);
  });
});
