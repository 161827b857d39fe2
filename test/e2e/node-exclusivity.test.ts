// Node exclusivity through the cluster guard on the lab: a Kubernetes upgrade that would exceed the
// cluster's budget beside a drain is refused naming it; one within the budget never starts the
// node the drain holds, says who holds it, upgrades the other nodes and takes the node once the
// drain lets go. The apiserver's audit log (when each upgrade Job was created) is the evidence.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from '../../lab/wait';
import {
  drainStatusQuery,
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeStatus,
} from '../../workflows/api';
import { auditEvents } from '../support/audit';
import { LAB_TARGET, startLabUpgrade } from '../support/lab-upgrade';
import { startTestStack, type TestStack } from '../support/stack';

const HELD = 'worker-3';
const DRAIN_ID = workflowIds.drain('lab', HELD);
const UPGRADE_ID = workflowIds.upgrade('lab');

let stack: TestStack;
before(
  async () => {
    stack = await startTestStack('upgrade-small-lab.yaml');
  },
  { timeout: 300_000 },
);
after(() => stack?.stop());

/** When the apiserver recorded each successful creation of a node's upgrade Job. */
function jobCreations(node: string): number[] {
  return auditEvents(stack.lab.stateDir)
    .filter(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'jobs' &&
        (e.objectRef.name ?? e.responseObject?.metadata?.name ?? '').includes(node) &&
        (e.responseStatus?.code ?? 500) < 300,
    )
    .map((e) => Date.parse(e.requestReceivedTimestamp ?? ''));
}

it(
  'an upgrade leaves a node a drain holds alone, naming the holder, and takes it after the drain',
  { timeout: 900_000 },
  async () => {
    const { lab } = stack;
    // One pod on worker-3 under a budget that allows no disruption: its drain waits there.
    const pods = JSON.parse(
      await lab.kubectl('get', 'pods', '--field-selector', `spec.nodeName=${HELD}`, '-o', 'json'),
    ).items as { metadata: { name: string } }[];
    const pod = pods.find((p) => p.metadata.name.startsWith('paced'));
    assert.ok(pod, `a paced pod on ${HELD}`);
    await lab.kubectl('label', 'pod', pod.metadata.name, 'hold=yes');
    await lab.kubectl('create', 'pdb', 'hold', '--selector=hold=yes', '--min-available=1');
    const drain = await stack.steward('drain', HELD, '--timeout', '1h', '--detach');
    assert.equal(drain.code, 0, drain.stdout + drain.stderr);
    const drainHandle = stack.client.workflow.getHandle(DRAIN_ID);
    await waitFor('the drain evicting', async () => {
      return (await drainHandle.query(drainStatusQuery)).phase === 'evicting';
    });

    // Two more unavailable nodes beside the drain's one exceed the lab's budget of two.
    await startLabUpgrade(stack, '--max-unavailable', '2');
    await assert.rejects(stack.client.workflow.getHandle(UPGRADE_ID).result(), (err: Error) => {
      const cause = (err as { cause?: Error }).cause?.message ?? '';
      assert.match(cause, new RegExp(`refused: .*budget of 2.*held by ${DRAIN_ID} \\(drain`));
      return true;
    });

    await startLabUpgrade(stack, '--max-unavailable', '1');
    const upgrade = stack.client.workflow.getHandle(UPGRADE_ID);
    let blocked: KubernetesUpgradeStatus | undefined;
    await waitFor(
      'the other nodes upgraded and worker-3 named as held',
      async () => {
        const s = await upgrade.query(kubernetesUpgradeStatusQuery);
        const others = ['cp-1', 'worker-1', 'worker-2'].every((n) =>
          s.upgraded.includes(`${n}@${LAB_TARGET}`),
        );
        blocked = s;
        // Says where it stands while it waits, for the timeout's message.
        return (others && s.blockedBy !== undefined) || JSON.stringify(s);
      },
      { timeoutMs: 600_000, intervalMs: 1_000 },
    );
    assert.match(blocked?.blockedBy ?? '', new RegExp(`${HELD} .*held by ${DRAIN_ID} \\(drain`));
    assert.deepEqual(jobCreations(HELD), [], `no upgrade Job on ${HELD} while the drain holds it`);
    assert.equal((await drainHandle.describe()).status.name, 'RUNNING', 'the drain goes on');

    // The budget allows again: the drain ends and lets go; then the upgrade takes the node.
    await lab.kubectl('delete', 'pdb', 'hold');
    const drained = await drainHandle.result();
    assert.equal(drained.outcome, 'drained');
    const drainEnded = (await drainHandle.describe()).closeTime!.getTime();
    const done = await upgrade.result();
    assert.equal(done.phase, 'done', done.message);
    assert.ok(done.upgraded.includes(`${HELD}@${LAB_TARGET}`));
    const created = jobCreations(HELD);
    assert.equal(created.length, 1, `one upgrade Job on ${HELD}`);
    assert.ok(created[0] >= drainEnded - 1_000, 'created only after the drain ended');
  },
);
