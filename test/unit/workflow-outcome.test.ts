import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { EXIT } from '../../cli/exit-codes';
import { failureOutcome, writeOutcome, type Outcome } from '../../cli/workflow-outcome';
import { invalidInput, LEASE_REFUSED } from '../../workflows/api';

/** What writeOutcome puts on each stream. */
function written(outcome: Outcome): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  const saved = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as never;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as never;
  try {
    writeOutcome(outcome);
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
  }
  return out;
}

const failed = (cause: Error) =>
  new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);

describe('CLI outcomes', () => {
  it('a workflow that refused its input: stderr, exit 2', () => {
    const outcome = failureOutcome(failed(invalidInput('node', 'no device named "x" in NetBox')));
    assert.equal(outcome.exitCode, EXIT.usage);
    assert.deepEqual(written(outcome), {
      stdout: '',
      stderr: 'steward: refused: node: no device named "x" in NetBox\n',
    });
  });

  it('a workflow that failed: stderr, exit 1', () => {
    const outcome = failureOutcome(failed(ApplicationFailure.create({ message: 'boom' })));
    assert.equal(outcome.exitCode, EXIT.failed);
    assert.deepEqual(written(outcome), { stdout: '', stderr: 'steward: failed: boom\n' });
  });

  it("a failure inside an activity or child: the innermost cause's message, its refusal kept", () => {
    const inActivity = (cause: Error) =>
      new ActivityFailure(
        'Activity task failed',
        'readDevice',
        '1',
        RetryState.NON_RETRYABLE_FAILURE,
        'w',
        cause,
      );
    const notConfigured = ApplicationFailure.create({
      message: 'NetBox is not configured for this worker',
      type: 'NotConfigured',
      nonRetryable: true,
    });
    assert.equal(
      written(failureOutcome(failed(inActivity(notConfigured)))).stderr,
      'steward: failed: NetBox is not configured for this worker\n',
    );
    const wrapped = ApplicationFailure.create({
      message: 'reinstall of worker-3 stopped at netbox-read',
      cause: inActivity(notConfigured),
    });
    assert.equal(
      written(failureOutcome(failed(wrapped))).stderr,
      'steward: failed: reinstall of worker-3 stopped at netbox-read: NetBox is not configured for this worker\n',
    );
    const refusal = failureOutcome(failed(inActivity(invalidInput('node', 'no device "x"'))));
    assert.deepEqual(
      [refusal.exitCode, refusal.text],
      [EXIT.usage, 'refused: node: no device "x"'],
    );
  });

  it("an operation its cluster's guard refused: stderr naming the holder, exit 1", () => {
    const reason =
      'cluster lab: rook-ceph-upgrade refused: a Kubernetes upgrade and a Rook/Ceph upgrade never run at once; held by k8s-upgrade/lab (kubernetes-upgrade, 2 nodes, since 2026-12-06T21:00:00.000Z)';
    const refusal = ApplicationFailure.create({
      type: LEASE_REFUSED,
      message: reason,
      nonRetryable: true,
    });
    const outcome = failureOutcome(failed(refusal));
    assert.equal(outcome.exitCode, EXIT.failed);
    assert.deepEqual(written(outcome), { stdout: '', stderr: `steward: refused: ${reason}\n` });
  });

  it('a report (running, waiting, ended short of its goal): stdout', () => {
    const report = { text: 'worker-1: rejoin', exitCode: EXIT.waiting, running: true };
    assert.deepEqual(written(report), { stdout: 'worker-1: rejoin\n', stderr: '' });
  });
});
