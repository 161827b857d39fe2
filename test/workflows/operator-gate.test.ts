// The operator's decision: what `decide` accepts while an operation waits, and what it refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { decideUpdate, drainStatusQuery, workflowIds } from '../../workflows/api';
import type { drainNode } from '../../workflows';
import { MAX_NOTE_LENGTH } from '../../workflows/operation/operator-gate';
import { FakeCluster, pod } from '../support/fake-cluster';
import { endGuard, guardActivities } from '../support/guard';
import { useTestServer, workerBundle } from '../support/temporal';

const testEnv = useTestServer();

describe('decide', () => {
  it('refuses a note longer than a few lines, naming it; the operation still waits', async () => {
    const cluster = new FakeCluster('g1', [pod('web-1')]);
    cluster.block('web-1');
    const worker = await Worker.create({
      connection: testEnv().nativeConnection,
      taskQueue: 'operator-gate',
      workflowBundle: await workerBundle(),
      activities: {
        ...cluster.activities(),
        ...guardActivities(testEnv),
        notifyOperators: async () => ({ delivered: false }),
      },
    });
    await worker
      .runUntil(async () => {
        const handle = await testEnv().client.workflow.start<typeof drainNode>('drainNode', {
          taskQueue: 'operator-gate',
          workflowId: workflowIds.drain('lab', 'g1'),
          args: [{ cluster: 'lab', node: 'g1', timeoutSeconds: 1 }],
        });
        const decide = (note: string) =>
          handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry', note }] });
        const waiting = async () => (await handle.query(drainStatusQuery)).waitingReason;
        for (let i = 0; i < 100 && !(await waiting()); i++) await setTimeout(100);
        assert.ok(await waiting(), 'the drain waits for an operator');
        await assert.rejects(decide('x'.repeat(MAX_NOTE_LENGTH + 1)), (err: Error) => {
          assert.ok(err instanceof WorkflowUpdateFailedError);
          assert.match(
            String(err.cause?.message),
            /^note: must be text of at most 1000 characters$/,
          );
          return true;
        });
        cluster.unblock('web-1');
        assert.equal(await decide('pdb fixed by jane'), 'retry accepted');
        assert.equal((await handle.result()).outcome, 'drained');
      })
      .finally(() => endGuard(testEnv, 'lab'));
  });
});
