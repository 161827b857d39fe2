// The cordon owner: the operation at the top of the workflow tree and its run, kept across that
// run's continue-as-new; a record without a run (an older Steward's, a person's) names no owner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cordonOwnerOf, parseCordonOwner } from '../../workflows/policy/cordon-owner';

describe('cordon owner', () => {
  it("a child's owner is its root's run; a top-level operation's is its first run", () => {
    const root = { workflowId: 'k8s-upgrade/lab', runId: 'run-7' };
    assert.equal(
      cordonOwnerOf({ workflowId: 'drain/lab/w1', firstExecutionRunId: 'run-1', root }),
      'k8s-upgrade/lab@run-7',
    );
    const own = { workflowId: 'drain/lab/w1', runId: 'run-3' };
    assert.equal(
      cordonOwnerOf({ workflowId: 'drain/lab/w1', firstExecutionRunId: 'run-1', root: own }),
      'drain/lab/w1@run-1',
      'a run continued as new keeps its first run',
    );
    assert.equal(
      cordonOwnerOf({ workflowId: 'reinstall/w1', firstExecutionRunId: 'run-1' }),
      'reinstall/w1@run-1',
    );
  });

  it('parses the records it writes, and no other', () => {
    assert.deepEqual(parseCordonOwner('drain/lab/w1-2026-12-06T03:00:00Z@run-1'), {
      workflowId: 'drain/lab/w1-2026-12-06T03:00:00Z',
      runId: 'run-1',
    });
    for (const record of [undefined, '', 'drain/lab/w1', '@run-1', 'drain/lab/w1@']) {
      assert.equal(parseCordonOwner(record), undefined, String(record));
    }
  });
});
