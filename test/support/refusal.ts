// A pure policy function's refusal: the non-retryable ApplicationFailure it throws.
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';

export function refusal(run: () => unknown): ApplicationFailure {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${err}`);
    assert.equal(err.nonRetryable, true);
    return err;
  }
  assert.fail('expected a refusal');
}
