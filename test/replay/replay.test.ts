// Every recorded history must replay against today's workflow code, with the worker's
// interceptors when they ran at recording: a change that alters the command sequence fails here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { recordedHistories, recordedWithInterceptors } from '../support/histories';
import { workerBundle, workflowBundle } from '../support/temporal';

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
      const bundle = recordedWithInterceptors(history) ? workerBundle : workflowBundle;
      await Worker.runReplayHistory({ workflowBundle: await bundle() }, history, workflowId);
    });
  }
});
