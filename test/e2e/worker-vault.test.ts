// The worker's Vault token lives no longer than the worker: it logs in with AppRole when an
// activity first needs a secret (here a BMC login for `steward reinstall --dry-run`), and on
// SIGTERM revokes the token, so OpenBao no longer knows it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { logFile, stopDaemons } from '../../lab/daemon';
import { startTestStack, type TestStack } from '../support/stack';
import { workerTokens } from '../support/vault';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('reinstall-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

it('the worker revokes its Vault token on SIGTERM', async () => {
  assert.deepEqual(await workerTokens(stack.lab), [], 'no login before a secret is needed');
  const run = await stack.steward('reinstall', 'worker-1', '--dry-run');
  assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
  assert.equal((await workerTokens(stack.lab)).length, 1, 'one AppRole login');

  await stopDaemons(stack.lab.stateDir, ['worker']);
  assert.deepEqual(await workerTokens(stack.lab), []);
  const log = readFileSync(logFile(stack.lab.stateDir, 'worker'), 'utf8');
  assert.match(log, /"msg":"Vault token revoked"/);
});
