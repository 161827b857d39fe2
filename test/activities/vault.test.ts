// The Vault client and activity against the lab's real OpenBao: AppRole login, renewal, secret
// references, revoke-self. The test looks at the worker's tokens through OpenBao's own token
// accessors, with the lab's admin token.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { VaultClient } from '../../activities/vault/client';
import { bmcCredentials, freePorts, WORKER_ROLE } from '../../lab';
import { INVALID_INPUT, VAULT_FAILURES } from '../../workflows/api';
import { useLabActivities } from '../support/lab';
import { vaultAdmin, workerTokens, type TokenFacts } from '../support/vault';

const ctx = useLabActivities('reinstall-lab.yaml');
const PASSWORD_REF = 'vault:secret/data/bmc/worker-1#password';
const PASSWORD = bmcCredentials('worker-1').password;

const admin = <T>(method: string, path: string, body?: unknown) =>
  vaultAdmin(ctx.lab)<T>(method, path, body);

async function newTokens(before: TokenFacts[]): Promise<TokenFacts[]> {
  const known = new Set(before.map((t) => t.accessor));
  return (await workerTokens(ctx.lab)).filter((t) => !known.has(t.accessor));
}

async function rejectsWith(call: Promise<unknown>, type: string, retryable: boolean, text: RegExp) {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, type, err.message);
    assert.equal(err.nonRetryable, !retryable);
    assert.match(err.message, text);
    return true;
  });
}

describe('VaultClient', () => {
  it('logs in with AppRole and resolves references; the activity returns no secret', async () => {
    const client = new VaultClient(ctx.lab.vault!);
    assert.equal(await client.readSecret(PASSWORD_REF), PASSWORD);
    assert.equal(
      await client.readSecret('vault:secret/data/bmc/worker-1#username'),
      bmcCredentials('worker-1').username,
    );
    const facts = await ctx.act.checkSecret({ ref: PASSWORD_REF });
    assert.deepEqual(facts, { path: 'secret/data/bmc/worker-1', key: 'password', version: 1 });
    await client.revokeSelf();
  });

  it('refuses bad, missing and forbidden references, naming the field', async () => {
    const check = (ref: string) => ctx.act.checkSecret({ ref, field: 'bmc.passwordRef' });
    const invalid = async (ref: string, reason: RegExp) =>
      assert.rejects(check(ref), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.type === INVALID_INPUT, String(err));
        assert.deepEqual(Object.keys(err.details?.[0] as object), ['field', 'reason']);
        assert.equal((err.details?.[0] as { field: string }).field, 'bmc.passwordRef');
        assert.match((err.details?.[0] as { reason: string }).reason, reason);
        return true;
      });
    await invalid('secret/bmc/worker-1#password', /does not start with vault:/);
    await invalid(
      'vault:secret/data/bmc/no-such-host#password',
      /no secret at secret\/data\/bmc\/no-such-host/,
    );
    await invalid(
      'vault:secret/data/bmc/worker-1#pin',
      /no string key "pin" \(keys: password, username\)/,
    );
    await rejectsWith(
      check('vault:secret/data/elsewhere#token'),
      VAULT_FAILURES.denied,
      false,
      /^Vault read secret\/data\/elsewhere: HTTP 403: 1 error occurred: \* permission denied$/,
    );
  });

  it('renews its token before it expires and keeps using that one token', async () => {
    // Logins of this test get 3 s tokens, renewable for an hour.
    await admin('POST', `auth/approle/role/${WORKER_ROLE}`, { token_ttl: '3s' });
    const before = await workerTokens(ctx.lab);
    const client = new VaultClient(ctx.lab.vault!);
    try {
      await client.readSecret(PASSWORD_REF);
      await sleep(8_000);
      assert.equal(await client.readSecret(PASSWORD_REF), PASSWORD);
      const mine = await newTokens(before);
      assert.equal(mine.length, 1, 'one login, its token renewed past its first 3 s');
      // Alive 8 s after a 3 s login only if renewed after its first 3 s ran out.
      const { creation_time, last_renewal_time = 0 } = mine[0];
      assert.ok(last_renewal_time - creation_time >= 3, JSON.stringify(mine[0]));
    } finally {
      await client.revokeSelf();
      await admin('POST', `auth/approle/role/${WORKER_ROLE}`, { token_ttl: '1h' });
    }
  });

  it('revokeSelf revokes its token, a lookup of it then fails; the next use logs in again', async () => {
    const client = new VaultClient(ctx.lab.vault!);
    assert.equal(await client.revokeSelf(), false, 'nothing to revoke before the first use');
    const before = await workerTokens(ctx.lab);
    await client.readSecret(PASSWORD_REF);
    const [token] = await newTokens(before);
    assert.equal(await client.revokeSelf(), true);
    await assert.rejects(
      admin('POST', 'auth/token/lookup-accessor', { accessor: token.accessor }),
      /HTTP 400 .*invalid accessor/,
    );
    assert.equal(await client.readSecret(PASSWORD_REF), PASSWORD);
    assert.equal((await newTokens(before)).length, 1, 'a new login');
    await client.revokeSelf();
  });

  it('logs in again when its token was revoked behind its back', async () => {
    const client = new VaultClient(ctx.lab.vault!);
    const before = await workerTokens(ctx.lab);
    await client.readSecret(PASSWORD_REF);
    const [token] = await newTokens(before);
    await admin('POST', 'auth/token/revoke-accessor', { accessor: token.accessor });
    assert.equal(await client.readSecret(PASSWORD_REF), PASSWORD);
    const [again] = await newTokens(before);
    assert.notEqual(again.accessor, token.accessor);
    await client.revokeSelf();
  });

  it('wrong AppRole credentials fail without retry, quoting Vault and not the secret ID', async () => {
    const wrongSecretId = join(ctx.lab.stateDir, 'wrong-secret-id');
    writeFileSync(wrongSecretId, '00000000-1111-2222-3333-444444444444\n', { mode: 0o600 });
    const client = new VaultClient({ ...ctx.lab.vault!, secretIdFile: wrongSecretId });
    await rejectsWith(
      client.readSecret(PASSWORD_REF),
      VAULT_FAILURES.loginFailed,
      false,
      /^Vault AppRole login at auth\/approle refused \(HTTP 400\): invalid role or secret ID; check the role ID and secret ID files$/,
    );
  });

  it('no Vault at the address is retryable', async () => {
    const { vault: port } = await freePorts();
    const client = new VaultClient({ ...ctx.lab.vault!, address: `http://127.0.0.1:${port}` });
    await rejectsWith(
      client.readSecret(PASSWORD_REF),
      VAULT_FAILURES.unavailable,
      true,
      /ECONNREFUSED/,
    );
  });
});
