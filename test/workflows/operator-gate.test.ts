// The operator's decision: what `decide` accepts while an operation waits, and what it refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { decideUpdate, drainStatusQuery } from '../../workflows/api';
import { MAX_NOTE_LENGTH } from '../../workflows/operation/operator-gate';
import { withBlockedDrain } from '../support/blocked-drain';
import { useTestServer } from '../support/temporal';

const testEnv = useTestServer();

describe('decide', () => {
  it('refuses a note longer than a few lines, naming it; the operation still waits', async () => {
    await withBlockedDrain(testEnv, 'g1', async (handle, cluster) => {
      const decide = (note: string) =>
        handle.executeUpdate(decideUpdate, { args: [{ decision: 'retry', note }] });
      assert.ok(
        (await handle.query(drainStatusQuery)).waitingReason,
        'the drain waits for an operator',
      );
      await assert.rejects(decide('x'.repeat(MAX_NOTE_LENGTH + 1)), (err: Error) => {
        assert.ok(err instanceof WorkflowUpdateFailedError);
        assert.match(String(err.cause?.message), /^note: must be text of at most 1000 characters$/);
        return true;
      });
      cluster.unblock('web-1');
      assert.equal(await decide('pdb fixed by jane'), 'retry accepted');
      assert.equal((await handle.result()).outcome, 'drained');
    });
  });
});
