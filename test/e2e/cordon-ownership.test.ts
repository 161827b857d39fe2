// Cordon ownership through the CLI on the lab: a cordon a person set over the record of an earlier
// Steward drain (which `kubectl uncordon` keeps) stays the person's. A later operation (a
// Kubernetes upgrade, another run) never adopts it, so never returns the node to service; the
// apiserver's own view of the node, watched throughout, is the evidence.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { KubeConfig, type V1Node } from '@kubernetes/client-node';
import { CORDONED_BY_ANNOTATION } from '../../activities/kubernetes/nodes';
import { keepWatching } from '../../lab/watch';
import { workflowIds } from '../../workflows/api';
import { LAB_TARGET, startLabUpgrade } from '../support/lab-upgrade';
import { startTestStack, type TestStack } from '../support/stack';

const NODE = 'worker-1';
const UPGRADE_ID = workflowIds.upgrade('lab');
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

let stack: TestStack;
before(
  async () => {
    stack = await startTestStack('upgrade-small-lab.yaml');
  },
  { timeout: 300_000 },
);
after(() => stack?.stop());

const nodeJson = async (): Promise<V1Node> =>
  JSON.parse(await stack.lab.kubectl('get', 'node', NODE, '-o', 'json'));

/** Every version of the node the apiserver reports while `body` runs, first the current one. */
async function watchNode<T>(body: () => Promise<T>): Promise<{ seen: V1Node[]; result: T }> {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.lab.kubeconfigPath);
  const seen: V1Node[] = [];
  const stop = new AbortController();
  const query = { fieldSelector: `metadata.name=${NODE}` };
  const watching = keepWatching<V1Node>(
    kc,
    '/api/v1/nodes',
    query,
    (n) => seen.push(n),
    stop.signal,
    () => undefined,
  );
  try {
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 100));
    return { seen, result: await body() };
  } finally {
    stop.abort();
    await watching;
  }
}

it(
  "an upgrade after a person's cordon over an earlier drain's record leaves the node cordoned, throughout",
  { timeout: 900_000 },
  async () => {
    const drained = await stack.steward('drain', NODE, '--force', '--delete-emptydir-data');
    assert.equal(drained.code, 0, output(drained));
    const record = (await nodeJson()).metadata?.annotations?.[CORDONED_BY_ANNOTATION];
    assert.match(record ?? '', /^drain\/lab\/worker-1/);
    // `kubectl uncordon` keeps Steward's record; a person then cordons the node for a repair.
    await stack.lab.kubectl('uncordon', NODE);
    await stack.lab.kubectl('cordon', NODE);

    const { seen, result } = await watchNode(async () => {
      await startLabUpgrade(stack);
      // The upgrade ends, or waits for an operator (then the node's fate is the operator's).
      const watched = await stack.steward('watch', UPGRADE_ID, '--until-wait');
      const description = await stack.client.workflow.getHandle(UPGRADE_ID).describe();
      if (description.status.name === 'RUNNING') {
        await stack.client.workflow.getHandle(UPGRADE_ID).terminate('test over');
      }
      return watched;
    });
    const schedulable = seen.filter((n) => n.spec?.unschedulable !== true);
    assert.deepEqual(
      schedulable.map((n) => `resourceVersion ${n.metadata?.resourceVersion}`),
      [],
      `${NODE} was returned to service during the upgrade:\n${output(result)}`,
    );
    const node = await nodeJson();
    assert.equal(node.spec?.unschedulable, true, "the person's cordon holds");
    // The upgrade did reach the node (else this proves nothing).
    await stack.client.workflow
      .getHandle(workflowIds.upgradeNode('lab', NODE, LAB_TARGET))
      .describe();
  },
);
