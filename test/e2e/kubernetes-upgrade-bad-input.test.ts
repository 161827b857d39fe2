// Bad input to the Kubernetes upgrade, given through the CLI and as the Temporal UI gives it (a
// direct start of `kubernetesUpgrade` with JSON input): a downgrade, a target beyond the known
// path, an unknown cluster, a maxUnavailable of 0 or malformed, an unknown field. Each is refused
// with exit 2 / a non-retryable InvalidInput failure naming the field, and nothing changes: the
// apiserver records no write, no node upgrade or drain is started.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  INVALID_INPUT,
  TASK_QUEUE,
  workflowIds,
  type KubernetesUpgradeInput,
} from '../../workflows/api';
import { auditEvents, clientWrites, describeAuditEvent } from '../support/audit';
import { LabCluster } from '../support/lab-cluster';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let auditMark = 0;

before(
  async () => {
    stack = await startTestStack('upgrade-small-lab.yaml');
    auditMark = auditEvents(stack.lab.stateDir).length;
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

/** Since the stack started: no write to nodes, pods or Jobs, no node upgrade or drain started. */
async function assertNothingChanged(): Promise<void> {
  const writes = clientWrites(auditEvents(stack.lab.stateDir).slice(auditMark));
  assert.deepEqual(writes.map(describeAuditEvent), [], 'writes to nodes, pods or Jobs');

  const started: string[] = [];
  for await (const wf of stack.client.workflow.list({
    query: `WorkflowType = 'upgradeNode' OR WorkflowType = 'drainNode'`,
  })) {
    started.push(wf.workflowId);
  }
  assert.deepEqual(started, [], 'node upgrades or drains started');

  const cluster = new LabCluster(stack.lab.kubeconfigPath);
  for (const node of await cluster.nodes()) {
    assert.equal(node.kubeletVersion, 'v1.31.14', node.name);
    assert.equal(node.cordoned, false, node.name);
  }
  assert.deepEqual(await cluster.upgradeJobs(), [], 'upgrade Jobs');
}

interface BadInput {
  what: string;
  input: KubernetesUpgradeInput & Record<string, unknown>;
  field: string;
  reason: RegExp;
}

const BAD_INPUTS: BadInput[] = [
  {
    what: 'a downgrade',
    input: { cluster: 'lab', target: '1.30' },
    field: 'target',
    reason: /downgrade/,
  },
  {
    what: 'a target beyond the known path',
    input: { cluster: 'lab', target: '1.35' },
    field: 'target',
    reason: /v1\.35 is not an available version/,
  },
  {
    what: 'an unknown cluster',
    input: { cluster: 'nope', target: '1.32' },
    field: 'cluster',
    reason: /unknown cluster "nope"/,
  },
  {
    what: 'maxUnavailable 0',
    input: { cluster: 'lab', target: '1.32', maxUnavailable: '0' },
    field: 'maxUnavailable',
    reason: /above 0/,
  },
  {
    what: 'a malformed maxUnavailable',
    input: { cluster: 'lab', target: '1.32', maxUnavailable: 'abc' },
    field: 'maxUnavailable',
    reason: /whole number .* or a percentage/,
  },
  {
    what: 'a maxUnavailable above 100%',
    input: { cluster: 'lab', target: '1.32', maxUnavailable: '150%' },
    field: 'maxUnavailable',
    reason: /percentage from 1% to 100%/,
  },
];

const cliArgs = ({ cluster, target, maxUnavailable }: KubernetesUpgradeInput) => [
  'k8s-upgrade',
  cluster,
  '--to',
  target,
  ...(maxUnavailable === undefined ? [] : ['--max-unavailable', String(maxUnavailable)]),
];

it('the CLI refuses each with exit 2 and the field and reason', { timeout: 300_000 }, async () => {
  for (const bad of BAD_INPUTS) {
    const run = await stack.steward(...cliArgs(bad.input));
    assert.equal(run.code, 2, `${bad.what}: ${run.stdout}${run.stderr}`);
    assert.match(
      run.stdout + run.stderr,
      new RegExp(`${bad.field}: .*${bad.reason.source}`),
      bad.what,
    );
  }
  const typo = await stack.steward('k8s-upgrade', 'lab', '--to', '1.32', '--max-unavailible', '2');
  assert.equal(typo.code, 2, typo.stdout + typo.stderr);
  assert.match(typo.stderr, /unknown option '--max-unavailible'/);
  await assertNothingChanged();
});

it(
  'a direct start (the UI path) fails each with a non-retryable InvalidInput naming the field',
  { timeout: 300_000 },
  async () => {
    const unknownField: BadInput = {
      what: 'an unknown field',
      input: { cluster: 'lab', target: '1.32', maxUnavailible: 2 },
      field: 'maxUnavailible',
      reason: /is not a known field/,
    };
    // The UI's form sends JSON, so a count may come as a number.
    const zeroAsNumber: BadInput = {
      what: 'maxUnavailable 0 as a number',
      input: { cluster: 'lab', target: '1.32', maxUnavailable: 0 },
      field: 'maxUnavailable',
      reason: /above 0/,
    };
    for (const bad of [...BAD_INPUTS, zeroAsNumber, unknownField]) {
      const handle = await stack.client.workflow.start('kubernetesUpgrade', {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.upgrade(bad.input.cluster),
        args: [bad.input],
      });
      const failure = await handle.result().then(
        () => assert.fail(`${bad.what} was accepted`),
        (err: unknown) => err,
      );
      assert.ok(failure instanceof WorkflowFailedError, `${bad.what}: ${String(failure)}`);
      const cause = failure.cause;
      assert.ok(cause instanceof ApplicationFailure, `${bad.what}: ${String(cause)}`);
      assert.equal(cause.type, INVALID_INPUT, bad.what);
      assert.equal(cause.nonRetryable, true, bad.what);
      assert.deepEqual((cause.details?.[0] as { field: string }).field, bad.field, bad.what);
      assert.match(cause.message, new RegExp(`^${bad.field}: .*${bad.reason.source}`), bad.what);
    }
    await assertNothingChanged();
  },
);
