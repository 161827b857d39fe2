// A Kubernetes upgrade end to end through the CLI on the lab, whose physics plays the upgrade
// Jobs: control plane first, workers never more than the bound unavailable, GPUs back before
// uncordon, every node at the target and none left cordoned. Steward runs with only deploy/rbac's
// ServiceAccount token: the apiserver's audit log shows it did all that and was refused nothing.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { UPGRADE_NAMESPACE } from '../../activities/kubernetes/upgrade-jobs';
import { jobCreationsByName } from '../support/audit';
import { stewardRequestsNoneRefused } from '../support/rbac';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('upgrade-lab.yaml', {
      rbac: ['00-identity', '10-drain', '20-kubernetes-upgrade', '30-addons'],
    });
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

it('upgrades 1.31 → 1.33: control plane first, workers within maxUnavailable 2, GPUs back, add-ons after their minor, nothing left cordoned', async () => {
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
    '1.33',
    '--monitoring-chart',
    '62.0.0',
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
    /lab at v1\.33\.13: upgraded 10, skipped 0; add-ons: v1\.32\.13: snapshot-controller v8\.2\.0, v1\.33\.13: monitoring CRDs of chart major 61 \(prometheus-operator v0\.75\.0\), v1\.33\.13: monitoring CRDs of chart major 62 \(prometheus-operator v0\.76\.0\)$/m,
  );

  const after = await nodes();
  for (const n of after) {
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.33.13', n.metadata.name);
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
  assert.match(kubeadm, /kubernetesVersion: v1\.33\.13/);

  const jobs: {
    metadata: { name: string; creationTimestamp: string; labels: Record<string, string> };
    status: { completionTime: string };
  }[] = JSON.parse(
    await stack.lab.kubectl('get', 'jobs', '-n', UPGRADE_NAMESPACE, '-o', 'json'),
  ).items;
  assert.equal(jobs.length, 10, 'one Job per node and version');
  const step = (version: string) =>
    jobs
      .filter((j) => j.metadata.labels['steward.dev/upgrade-version'] === version)
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
  const [first, second] = [step('v1.32.13'), step('v1.33.13')];
  for (const byTime of [first, second]) {
    assert.equal(byTime.length, 5);
    assert.equal(
      byTime[0].metadata.labels['steward.dev/upgrade-node'],
      'cp-1',
      'control plane first',
    );
    assert.equal(byTime[0].metadata.labels['steward.dev/kubeadm'], 'apply');
    assert.ok(byTime.slice(1).every((j) => j.metadata.labels['steward.dev/kubeadm'] === 'node'));
  }

  // The snapshot-controller moves with the step to 1.32, after its last node and before 1.33's first.
  const controller = JSON.parse(
    await stack.lab.kubectl(
      'get',
      'deployment',
      '-n',
      'snapshot-controller',
      'snapshot-controller',
      '--show-managed-fields',
      '-o',
      'json',
    ),
  );
  assert.match(controller.spec.template.spec.containers[0].image, /:v8\.2\.0$/);
  const applied: string = controller.metadata.managedFields.find(
    (f: { manager: string }) => f.manager === 'steward',
  ).time;
  const lastOfFirst = first
    .map((j) => j.status.completionTime)
    .sort()
    .at(-1)!;
  assert.ok(applied >= lastOfFirst, `applied ${applied}, before 1.32's last Job ${lastOfFirst}`);
  assert.ok(
    applied <= second[0].metadata.creationTimestamp,
    `applied ${applied}, after 1.33's first Job ${second[0].metadata.creationTimestamp}`,
  );
  const operator = await stack.lab.kubectl(
    'get',
    'crd',
    'prometheuses.monitoring.coreos.com',
    '-o',
    'jsonpath={.metadata.annotations.operator\\.prometheus\\.io/version}',
  );
  assert.equal(operator, '0.76.0');

  const asSteward = stewardRequestsNoneRefused(stack.lab.stateDir);
  const wrote = (resource: string) =>
    asSteward.filter(
      (e) =>
        ['create', 'patch'].includes(e.verb) &&
        `${e.objectRef?.resource}/${e.objectRef?.subresource ?? ''}` === resource &&
        (e.responseStatus?.code ?? 0) < 300,
    ).length;
  assert.equal(wrote('jobs/'), jobCreationsByName(stack.lab.stateDir).size, 'every Job by Steward');
  assert.ok(wrote('pods/eviction') > 0, 'evictions by Steward');
  assert.ok(wrote('nodes/') > 0, 'cordons by Steward');
  assert.ok(wrote('customresourcedefinitions/') > 0, 'add-ons by Steward');
});
