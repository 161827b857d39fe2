// The NetBox activities against the lab's real NetBox 4.7. A write that changes nothing must leave
// no trace in NetBox: its changelog (/api/core/object-changes/) gets no entry and the device's
// last_updated stays. The changelog alone cannot tell, as NetBox skips empty changes; last_updated
// moves on every save, as the first test shows.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import type { JournalEntryInput, JournalEntryResult } from '../../activities/netbox/devices';
import { storedComments } from '../../activities/netbox/netbox-values';
import { bmcAddress, freePorts, setNetboxDatabaseRunning } from '../../lab';
import { waitFor } from '../../lab/wait';
import { INVALID_INPUT, NETBOX_FAILURES } from '../../workflows/api';
import { FIXTURES, useLabActivities } from '../support/lab';

const ctx = useLabActivities('reinstall-lab.yaml');

/** NetBox's REST API, called directly (the test's view, not the activities'). */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = readFileSync(ctx.lab.netbox!.tokenFile, 'utf8').trim();
  const res = await fetch(`${ctx.lab.netbox!.url}/api/${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: HTTP ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

async function trace(device: string): Promise<{ changes: number; lastUpdated: string }> {
  const { id, lastUpdated } = await ctx.act.describeDevice({ device });
  const log = await api<{ count: number }>(
    'GET',
    `core/object-changes/?changed_object_type=dcim.device&changed_object_id=${id}`,
  );
  return { changes: log.count, lastUpdated };
}

async function rejectsInvalid(call: Promise<unknown>, field: string, reason?: RegExp) {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, INVALID_INPUT, err.message);
    const details = err.details?.[0] as { field: string; reason: string };
    assert.equal(details.field, field);
    if (reason) assert.match(details.reason, reason);
    return true;
  });
}

describe('describeDevice', () => {
  it('reads serial, status, OOB IP and custom fields as the scenario seeded them', async () => {
    const w1 = await ctx.act.describeDevice({ device: 'worker-1' });
    assert.equal(w1.serial, 'LAB-W1');
    assert.equal(w1.status, 'active');
    assert.equal(w1.oobIp, bmcAddress(0));
    assert.deepEqual(w1.customFields, {
      deployment_option: 'standard',
      custom_base_script: null,
      kubelet_version: null,
    });
    const w2 = await ctx.act.describeDevice({ device: 'worker-2' });
    assert.equal(w2.oobIp, null, 'a DDNS-only BMC has no OOB IP in NetBox');
    const w3 = await ctx.act.describeDevice({ device: 'worker-3' });
    assert.equal(w3.customFields.deployment_option, 'custom');
    assert.equal(w3.customFields.custom_base_script, join(FIXTURES, 'reinstall-custom-base.sh'));
    assert.ok(existsSync(String(w3.customFields.custom_base_script)));
    assert.equal((await ctx.act.describeDevice({ device: 'spare' })).status, 'planned');
  });

  it('refuses an unknown device, naming the field', async () => {
    await rejectsInvalid(ctx.act.describeDevice({ device: 'no-such-host' }), 'device', /no device/);
  });
});

describe('updateDevice', () => {
  it('NetBox moves last_updated on a save that changes nothing (so the checks below can fail)', async () => {
    const { id, comments } = await ctx.act.describeDevice({ device: 'misfit' });
    const before = await trace('misfit');
    await api('PATCH', `dcim/devices/${id}/`, { comments });
    const after = await trace('misfit');
    assert.equal(after.changes, before.changes, 'NetBox logs no empty change');
    assert.notEqual(after.lastUpdated, before.lastUpdated);
  });

  it('writes only the fields that differ; the same write again leaves no trace', async () => {
    const start = await trace('worker-2');
    const goal = {
      device: 'worker-2',
      status: 'staged',
      comments: 'Reinstall in progress\n\n',
      customFields: { kubelet_version: 'v1.31.14', deployment_option: 'standard' },
    };
    const first = await ctx.act.updateDevice(goal);
    assert.deepEqual(first.changed, ['status', 'comments', 'customFields.kubelet_version']);
    const written = await trace('worker-2');
    assert.equal(written.changes, start.changes + 1, 'one PATCH, one changelog entry');
    const facts = await ctx.act.describeDevice({ device: 'worker-2' });
    assert.equal(facts.status, 'staged');
    assert.equal(facts.comments, 'Reinstall in progress');

    assert.deepEqual(await ctx.act.updateDevice(goal), { changed: [] });
    assert.deepEqual(await trace('worker-2'), written);
  });

  it('does not rewrite a comment with trailing newlines that NetBox stored without them', async () => {
    const comments = 'Reinstalled by Steward.\r\nBase script: standard\n\n\n';
    assert.deepEqual((await ctx.act.updateDevice({ device: 'worker-1', comments })).changed, [
      'comments',
    ]);
    const stored = await trace('worker-1');
    assert.equal(
      (await ctx.act.describeDevice({ device: 'worker-1' })).comments,
      'Reinstalled by Steward.\r\nBase script: standard',
    );
    assert.deepEqual(await ctx.act.updateDevice({ device: 'worker-1', comments }), { changed: [] });
    assert.deepEqual(await trace('worker-1'), stored);
  });

  it('predicts what NetBox stores for comments with odd whitespace', async () => {
    const { id } = await ctx.act.describeDevice({ device: 'misfit' });
    for (const sent of [
      '\u00a0nbsp\u00a0',
      'x\u001f\u0085',
      '\ufeffbom\ufeff',
      ' \t\n ',
      'a\r\n\r\nb\t',
    ]) {
      const back = await api<{ comments: string }>('PATCH', `dcim/devices/${id}/`, {
        comments: sent,
      });
      assert.equal(storedComments(sent), back.comments, JSON.stringify(sent));
    }
  });

  it('compares custom fields as NetBox keeps them: text verbatim, a selection by its value', async () => {
    const script = { custom_base_script: '/srv/base.sh\n' };
    const write = (customFields: Record<string, string | null>) =>
      ctx.act.updateDevice({ device: 'spare', customFields });
    assert.deepEqual((await write(script)).changed, ['customFields.custom_base_script']);
    assert.equal(
      (await ctx.act.describeDevice({ device: 'spare' })).customFields.custom_base_script,
      '/srv/base.sh\n',
    );
    assert.deepEqual((await write(script)).changed, []);
    assert.deepEqual((await write({ custom_base_script: '' })).changed, [
      'customFields.custom_base_script',
    ]);
    assert.deepEqual((await write({ custom_base_script: null })).changed, [
      'customFields.custom_base_script',
    ]);
    assert.deepEqual((await write({ deployment_option: 'none' })).changed, []);
    assert.deepEqual((await write({ deployment_option: 'custom' })).changed, [
      'customFields.deployment_option',
    ]);
  });

  it("refuses bad values with NetBox's own message and the field, changing nothing", async () => {
    const before = await trace('spare');
    const update = (u: object) => ctx.act.updateDevice({ device: 'spare', ...u });
    await rejectsInvalid(update({ status: 'bogus' }), 'status', /bogus is not a valid choice/);
    await rejectsInvalid(
      update({ customFields: { nope: 'x' } }),
      'customFields.nope',
      /Custom field 'nope' does not exist/,
    );
    await rejectsInvalid(
      update({ customFields: { deployment_option: 'bogus' } }),
      'customFields.deployment_option',
      /Invalid choice \(bogus\)/,
    );
    await rejectsInvalid(update({ comments: 'a\u0000b' }), 'comments', /Null characters/);
    await rejectsInvalid(update({ device: '' }), 'device');
    assert.deepEqual(await trace('spare'), before);
  });
});

describe('addJournalEntry', () => {
  const entry: JournalEntryInput = {
    device: 'worker-3',
    kind: 'info',
    comments: 'Reinstall started (deployment option custom)\n',
  };
  const inActivity = (activityId: string, runId = randomUUID()) =>
    new MockActivityEnvironment({
      activityId,
      workflowExecution: { workflowId: 'reinstall/worker-3', runId },
    });
  const addEntry = (env: MockActivityEnvironment, input: JournalEntryInput) =>
    env.run(ctx.act.addJournalEntry, input) as Promise<JournalEntryResult>;
  const entries = async () => {
    const { id } = await ctx.act.describeDevice({ device: 'worker-3' });
    return (
      await api<{ results: { id: number; kind: { value: string }; comments: string }[] }>(
        'GET',
        `extras/journal-entries/?assigned_object_type=dcim.device&assigned_object_id=${id}`,
      )
    ).results;
  };

  it('adds the entry once however often the activity is retried', async () => {
    const env = inActivity('7');
    const first = await addEntry(env, entry);
    assert.equal(first.created, true);
    const retried = await addEntry(env, entry);
    assert.deepEqual(retried, { id: first.id, created: false });
    const [added, ...others] = await entries();
    assert.equal(others.length, 0);
    assert.equal(added.kind.value, 'info');
    assert.match(
      added.comments,
      /^Reinstall started \(deployment option custom\)\n\n<!-- steward:/,
    );

    const next = await addEntry(inActivity('8'), { ...entry, kind: 'success' });
    assert.equal(next.created, true);
    assert.equal((await entries()).length, 2);
  });

  it('refuses an unknown kind or empty comments, naming the field', async () => {
    const env = inActivity('9');
    await rejectsInvalid(addEntry(env, { ...entry, kind: 'loud' as 'info' }), 'kind');
    await rejectsInvalid(addEntry(env, { ...entry, comments: ' \n' }), 'comments');
  });
});

describe('NetBox failures', () => {
  async function rejectsWith(
    call: Promise<unknown>,
    type: string,
    retryable: boolean,
    text: RegExp,
  ) {
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.type, type);
      assert.equal(err.nonRetryable, !retryable);
      assert.match(err.message, text);
      return true;
    });
  }

  it('a NetBox whose database is down answers 5xx: a retryable failure quoting NetBox', async () => {
    await setNetboxDatabaseRunning(ctx.lab.stateDir, false);
    try {
      await rejectsWith(
        ctx.act.describeDevice({ device: 'worker-1' }),
        NETBOX_FAILURES.unavailable,
        true,
        /^NetBox GET \/api\/dcim\/devices\/: HTTP 500: .+ \(OperationalError\)$/,
      );
    } finally {
      await setNetboxDatabaseRunning(ctx.lab.stateDir, true);
    }
    // As Temporal would: retry until NetBox has dropped its broken database connections.
    await waitFor('NetBox answers again', async () => {
      await ctx.act.describeDevice({ device: 'worker-1' });
      return true;
    });
  });

  it('no NetBox at the address is retryable; a bad token is not', async () => {
    const { netbox: port } = await freePorts();
    const down = createActivities({
      clusters: {},
      netbox: { url: `http://127.0.0.1:${port}`, tokenFile: ctx.lab.netbox!.tokenFile },
    });
    await rejectsWith(
      down.describeDevice({ device: 'worker-1' }),
      NETBOX_FAILURES.unavailable,
      true,
      /ECONNREFUSED/,
    );
    const badToken = join(ctx.lab.stateDir, 'bad-netbox-token');
    writeFileSync(badToken, 'nbt_AAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n');
    const refused = createActivities({
      clusters: {},
      netbox: { url: ctx.lab.netbox!.url, tokenFile: badToken },
    });
    await rejectsWith(
      refused.describeDevice({ device: 'worker-1' }),
      NETBOX_FAILURES.refused,
      false,
      /HTTP 403: Invalid v2 token/,
    );
  });

  it('takes its token from Vault when given a reference; refuses clearly when not configured', async () => {
    const viaVault = createActivities({
      clusters: {},
      vault: ctx.lab.vault,
      netbox: { url: ctx.lab.netbox!.url, tokenRef: 'vault:secret/data/netbox#token' },
    });
    assert.equal((await viaVault.describeDevice({ device: 'worker-1' })).serial, 'LAB-W1');
    await rejectsWith(
      createActivities({ clusters: {} }).describeDevice({ device: 'worker-1' }),
      'NotConfigured',
      false,
      /NetBox is not configured for this worker \(netbox.url/,
    );
  });
});
