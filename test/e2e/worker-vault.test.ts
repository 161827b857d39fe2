// The worker and Vault: its token lives no longer than the worker (it logs in with AppRole when an
// activity first needs a secret and revokes the token on SIGTERM), and a worker whose AppRole
// secret ID Vault refuses holds a reinstall before any change, naming the refused login, until a
// worker with the right one is started and an operator retries.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { logFile, stopDaemons } from '../../lab/daemon';
import { workflowIds, type NodeReinstallResult } from '../../workflows/api';
import {
  assertNoSecretInHistories,
  labSecrets,
  netboxDevice,
  powerCommands,
} from '../support/lab-bare-metal';
import { LabCluster } from '../support/lab-cluster';
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

const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

it('the worker revokes its Vault token on SIGTERM', async () => {
  assert.deepEqual(await workerTokens(stack.lab), [], 'no login before a secret is needed');
  const run = await stack.steward('reinstall', 'worker-1', '--dry-run');
  assert.equal(run.code, 0, output(run));
  assert.equal((await workerTokens(stack.lab)).length, 1, 'one AppRole login');

  await stopDaemons(stack.lab.stateDir, ['worker']);
  assert.deepEqual(await workerTokens(stack.lab), []);
  const log = readFileSync(logFile(stack.lab.stateDir, 'worker'), 'utf8');
  assert.match(log, /"msg":"Vault token revoked"/);
});

it('a worker with a wrong AppRole secret ID: the reinstall waits before any change, naming the Vault login; retry with the right worker completes it', async () => {
  const { stateDir } = stack.lab;
  const wrongSecretId = randomUUID();
  const wrongSecretIdFile = join(stateDir, 'wrong-secret-id');
  writeFileSync(wrongSecretIdFile, `${wrongSecretId}\n`, { mode: 0o600 });
  const config = parse(readFileSync(stack.configPath, 'utf8')) as {
    vault: { secretIdFile: string };
  };
  config.vault.secretIdFile = wrongSecretIdFile;
  const wrongConfig = join(stateDir, 'config-wrong-secret-id.yaml');
  writeFileSync(wrongConfig, stringify(config));
  await stopDaemons(stateDir, ['worker']); // in case the first test did not get that far
  await stack.startWorker(wrongConfig);

  const cluster = new LabCluster(stack.lab.kubeconfigPath);
  const id = workflowIds.reinstall('worker-2');
  const netboxBefore = await netboxDevice(stack.lab, 'worker-2');
  const run = await stack.steward('reinstall', 'worker-2', '--deploy', 'none', '--detach');
  assert.equal(run.code, 0, output(run));
  const waiting = await stack.steward('watch', id, '--until-wait');
  assert.equal(waiting.code, 3, output(waiting));
  assert.match(
    waiting.stdout,
    /waiting for an operator: credentials: Vault AppRole login at auth\/approle refused \(HTTP 400\): invalid role or secret ID; check the role ID and secret ID files; nothing changed yet/,
  );
  assert.deepEqual(powerCommands(stack.lab, 'worker-2'), [], 'no command reached the BMC');
  assert.deepEqual(await netboxDevice(stack.lab, 'worker-2'), netboxBefore, 'NetBox untouched');
  assert.equal((await cluster.node('worker-2')).cordoned, false, 'not drained');

  await stopDaemons(stateDir, ['worker']);
  await stack.startWorker(); // the stack's own configuration: the right secret ID
  const retry = await stack.steward('decide', id, 'retry');
  assert.equal(retry.code, 0, output(retry));
  const result: NodeReinstallResult = await stack.client.workflow.getHandle(id).result();
  assert.equal(result.outcome, 'reinstalled', result.message);
  assert.deepEqual(powerCommands(stack.lab, 'worker-2'), [
    'set power 0',
    'set boot pxe',
    'set power 1',
  ]);

  const secrets = [...labSecrets(stack.lab), wrongSecretId];
  const outputs = [run, waiting, retry].map(output).join('\n');
  const logs = ['worker', 'temporal'].map((d) => readFileSync(logFile(stateDir, d), 'utf8'));
  for (const secret of secrets) {
    assert.ok(
      !logs.some((log) => log.includes(secret)),
      "a secret in the worker's or Temporal's log",
    );
    assert.ok(!outputs.includes(secret), "a secret in the CLI's output");
  }
  assert.ok((await assertNoSecretInHistories(stack.client, secrets)) >= 3);
});
