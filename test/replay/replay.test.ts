// Every recorded history must replay against today's workflow code: a change that alters the
// command sequence without patched() fails here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { recordedHistories } from '../support/histories';
import { workerBundle } from '../support/temporal';

describe('recorded histories replay', () => {
  const histories = recordedHistories();

  it('has recorded histories to replay', () => {
    assert.ok(
      histories.length >= 1,
      'no histories under test/histories (record with RECORD_HISTORIES=1)',
    );
  });

  for (const { name, workflowId, history } of histories) {
    it(`replays ${name}`, async () => {
      await Worker.runReplayHistory(
        { workflowBundle: await workerBundle() },
        history,
        workflowId,
      );
    });
  }
});
