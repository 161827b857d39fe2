// The examples that `steward examples` prints for the Temporal UI's Start Workflow form.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as workflows from '../../workflows';
import { WORKFLOW_ID_PATTERN } from '../../workflows/api';
import { OPERATION_EXAMPLES, renderExample } from '../../scripts/cli/examples';

describe('operation examples', () => {
  for (const [name, example] of Object.entries(OPERATION_EXAMPLES)) {
    it(`${name}: a registered workflow type, a derived ID, and the input printed as JSON to paste`, () => {
      assert.equal(typeof (workflows as Record<string, unknown>)[example.workflowType], 'function');
      assert.match(example.workflowId, WORKFLOW_ID_PATTERN);
      assert.equal(example.taskQueue, 'steward');
      const rendered = renderExample(name, example);
      assert.equal(
        JSON.stringify(JSON.parse(rendered.split('Input          ')[1])),
        JSON.stringify(example.input),
      );
    });
  }

  it('fills in the defaults the workflow would use', () => {
    assert.deepEqual(OPERATION_EXAMPLES.drain.input, {
      cluster: 'lab',
      node: 'worker-1',
      timeoutSeconds: 600,
      deleteEmptyDirData: false,
      force: false,
    });
    assert.equal(
      (OPERATION_EXAMPLES['k8s-upgrade'].input as { pauseSeconds: number }).pauseSeconds,
      5,
    );
  });
});
