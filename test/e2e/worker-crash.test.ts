// The worker killed with SIGKILL in the middle of a drain: a new worker finishes it, and the
// apiserver's own audit log shows no pod evicted twice.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readDaemon } from '../../lab/daemon';
import type { DrainNodeResult } from '../../workflows/api';
import { evictionsByPod } from '../support/audit';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
const ID = 'drain/lab/node-a';

before(
  async () => {
    stack = await startTestStack('crash-lab.yaml');
    await stack.lab.kubectl('uncordon', 'spare-1');
    await stack.lab.kubectl('uncordon', 'spare-2');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

it('a drain survives SIGKILL of its worker and evicts every pod exactly once', async () => {
  const started = await stack.steward('drain', 'node-a', '--detach');
  assert.equal(started.code, 0, started.stdout + started.stderr);
  const handle = stack.client.workflow.getHandle(ID);

  // Kill once the apiserver has seen some evictions but the drain is not done.
  for (let i = 0; evictionsByPod(stack.lab.stateDir).size < 3; i++) {
    assert.ok(i < 600, 'the drain never got going');
    await sleep(50);
  }
  assert.equal((await handle.describe()).status.name, 'RUNNING');
  const worker = readDaemon(stack.lab.stateDir, 'worker');
  assert.ok(worker);
  process.kill(worker.pid, 'SIGKILL');
  await sleep(3000);
  await stack.startWorker();

  const result: DrainNodeResult = await handle.result();
  assert.equal(result.outcome, 'drained');
  assert.equal(result.evicted.length, 18);
  const evictions = evictionsByPod(stack.lab.stateDir);
  assert.equal(evictions.size, 18, `evicted pods: ${[...evictions.keys()].join(', ')}`);
  for (const [pod, count] of evictions) assert.equal(count, 1, `${pod} evicted ${count} times`);
  const left = await stack.lab.kubectl(
    'get',
    'pods',
    '-A',
    '--field-selector',
    'spec.nodeName=node-a',
    '-o',
    'name',
  );
  assert.equal(left.trim(), '');
});
