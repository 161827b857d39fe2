// A Kubernetes upgrade end to end through the CLI on the lab, whose physics plays the upgrade
// Jobs: control plane first, workers never more than the bound unavailable, GPUs back before
// uncordon, every node at the target and none left cordoned.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { UPGRADE_NAMESPACE } from '../../activities/kubernetes/upgrade-jobs';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('upgrade-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

interface NodeJson {
  metadata: { name: string; labels: Record<string, string> };
  spec: { unschedulable?: boolean };
  status: {
    nodeInfo: { kubeletVersion: string };
    allocatable: Record<string, string>;
    conditions: { type: string; status: string }[];
  };
}

const nodes = async (): Promise<NodeJson[]> =>
  JSON.parse(await stack.lab.kubectl('get', 'nodes', '-o', 'json')).items;
const isWorker = (n: NodeJson) =>
  n.metadata.labels['node-role.kubernetes.io/control-plane'] === undefined;
const unavailable = (n: NodeJson) =>
  n.spec.unschedulable === true ||
  !n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');

it('upgrades 1.31 → 1.32: control plane first, workers within maxUnavailable 2, GPUs back, nothing left cordoned', async () => {
  let worstWorkersUnavailable = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      worstWorkersUnavailable = Math.max(
        worstWorkersUnavailable,
        (await nodes()).filter((n) => isWorker(n) && unavailable(n)).length,
      );
    }
  })();
  const run = await stack.steward(
    'k8s-upgrade',
    'lab',
    '--to',
    '1.32',
    '--max-unavailable',
    '2',
    '--pause',
    '1s',
  );
  sampling = false;
  await sampler;
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /lab at v1\.32\.13: upgraded 5, skipped 0; 1 add-on step\(s\) planned but not applied/,
  );

  const after = await nodes();
  for (const n of after) {
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.13', n.metadata.name);
    assert.notEqual(n.spec.unschedulable, true, `${n.metadata.name} left cordoned`);
  }
  assert.equal(
    after.find((n) => n.metadata.name === 'gpu-1')!.status.allocatable['nvidia.com/gpu'],
    '4',
  );
  assert.ok(
    worstWorkersUnavailable <= 2,
    `${worstWorkersUnavailable} workers were unavailable at once`,
  );
  assert.ok(worstWorkersUnavailable >= 1, 'the sampler saw the rollout');

  const kubeadm = await stack.lab.kubectl(
    'get',
    'configmap',
    '-n',
    'kube-system',
    'kubeadm-config',
    '-o',
    'jsonpath={.data.ClusterConfiguration}',
  );
  assert.match(kubeadm, /kubernetesVersion: v1\.32\.13/);

  const jobs: {
    metadata: { name: string; creationTimestamp: string; labels: Record<string, string> };
  }[] = JSON.parse(
    await stack.lab.kubectl('get', 'jobs', '-n', UPGRADE_NAMESPACE, '-o', 'json'),
  ).items;
  assert.equal(jobs.length, 5, 'one Job per node');
  const byTime = [...jobs].sort((a, b) =>
    a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp),
  );
  assert.equal(
    byTime[0].metadata.labels['steward.dev/upgrade-node'],
    'cp-1',
    'the control plane goes first',
  );
  assert.equal(byTime[0].metadata.labels['steward.dev/kubeadm'], 'apply');
  assert.ok(byTime.slice(1).every((j) => j.metadata.labels['steward.dev/kubeadm'] === 'node'));
});
