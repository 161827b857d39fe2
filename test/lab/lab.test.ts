import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  V1Pod,
} from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Connection, freePorts, setKubeletRunning, startLab, stopLab } from '../../lab';
import { readDaemon } from '../../lab/daemon';
import { KUBERNETES_DAEMONS } from '../../lab/kubernetes';
import { waitFor } from '../../lab/wait';

const stateDir = mkdtempSync(join(tmpdir(), 'steward-lab-'));
let lab: Connection;
let core: CoreV1Api;
let policy: PolicyV1Api;
let objects: KubernetesObjectApi;

before(
  async () => {
    const started = Date.now();
    lab = await startLab({ stateDir, ports: await freePorts() });
    console.log(`lab started in ${Date.now() - started} ms`);
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    policy = kc.makeApiClient(PolicyV1Api);
    objects = KubernetesObjectApi.makeApiClient(kc);
  },
  { timeout: 300_000 },
);

after(async () => {
  await stopLab(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

test('the connection file points at the kubeconfig and server', () => {
  const file = JSON.parse(readFileSync(lab.connectionPath, 'utf8'));
  assert.deepEqual(file, {
    clusters: { lab: { kubeconfig: lab.kubeconfigPath, context: 'lab', server: lab.server } },
  });
});

test("nodes are Ready with the scenario's kubelet versions and GPU allocatable", async () => {
  const nodes = (await core.listNode()).items;
  assert.equal(nodes.length, 11);
  for (const node of nodes) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True', `${node.metadata?.name} Ready`);
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.31.14');
  }
  const gpus = Object.fromEntries(
    nodes.map((n) => [n.metadata?.name, n.status?.allocatable?.['nvidia.com/gpu']]),
  );
  assert.equal(gpus['gpu-1'], '4');
  assert.equal(gpus['gpu-2'], '4');
  assert.equal(gpus['worker-1'], undefined);
});

test('the device plugin runs on the GPU nodes only; mirror pods sit on control-plane nodes', async () => {
  const nvdp = await core.listNamespacedPod({
    namespace: 'k8s-nvidia-device-plugin',
    labelSelector: 'app.kubernetes.io/instance=nvdp,app.kubernetes.io/name=nvidia-device-plugin',
  });
  assert.deepEqual(nvdp.items.map((p) => p.spec?.nodeName).sort(), ['gpu-1', 'gpu-2']);
  const mirror = await core.readNamespacedPod({
    name: 'kube-apiserver-cp-1',
    namespace: 'kube-system',
  });
  assert.ok(mirror.metadata?.annotations?.['kubernetes.io/config.mirror']);
  assert.equal(mirror.status?.phase, 'Running');
});

test('kubeadm-config records the control-plane version', async () => {
  const cm = await core.readNamespacedConfigMap({
    name: 'kubeadm-config',
    namespace: 'kube-system',
  });
  assert.match(cm.data?.ClusterConfiguration ?? '', /kubernetesVersion: v1\.31\.14/);
});

test('PDB status has disruptionsAllowed computed by the disruption controller', async () => {
  await shopBudgetsSettled();
});

test('an evicted pod is deleted and re-created on another node by the scheduler', async () => {
  const [victim] = await podsOf('shop', 'app=web');
  const node = victim.spec!.nodeName!;
  await cordon(node, true);
  try {
    await evict(victim);
    await waitFor(`${victim.metadata?.name} deleted`, async () => {
      const pods = await podsOf('shop', 'app=web');
      return !pods.some((p) => p.metadata?.uid === victim.metadata?.uid);
    });
    // A new pod's scheduling and KWOK's readying of it take a minute and more on a loaded machine.
    await waitFor(
      '3 web pods Ready again, none on the cordoned node',
      async () => {
        const pods = await podsOf('shop', 'app=web');
        const ready = pods.filter(isReady);
        return (
          (ready.length === 3 && ready.every((p) => p.spec?.nodeName !== node)) ||
          pods
            .map((p) => `${p.metadata?.name} on ${p.spec?.nodeName} ready=${isReady(p)}`)
            .join(', ')
        );
      },
      { timeoutMs: 180_000 },
    );
  } finally {
    await cordon(node, false);
  }
});

test('an eviction that would violate a PDB is refused with 429', async () => {
  const labels = { app: 'singleton' };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'singleton', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] },
      },
    },
  };
  const pdb = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'singleton', namespace: 'default' },
    spec: { minAvailable: 1, selector: { matchLabels: labels } },
  };
  await objects.create(deployment);
  await objects.create(pdb);
  try {
    await waitFor('the singleton PDB observed its healthy pod', async () => {
      const { status } = await policy.readNamespacedPodDisruptionBudget(pdb.metadata);
      return status?.currentHealthy === 1 && status.disruptionsAllowed === 0;
    });
    const [pod] = await podsOf('default', 'app=singleton');
    await assert.rejects(
      evict(pod),
      (err: unknown) => err instanceof ApiException && err.code === 429,
    );
  } finally {
    // It would block the drain below for good.
    await objects.delete(pdb);
    await objects.delete(deployment);
  }
});

test('kubectl drain works unchanged and leaves only DaemonSet pods on the node', async () => {
  const node = 'worker-3';
  // The pod evicted above is back and Ready first, or the shop's budgets hold the drain.
  await shopBudgetsSettled();
  const drain = await promisify(execFile)(
    'kubectl',
    [
      ...['--kubeconfig', lab.kubeconfigPath, 'drain', node],
      ...['--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=120s'],
    ],
    { timeout: 150_000 },
  );
  assert.match(drain.stdout, new RegExp(`node/${node} drained`));
  assert.match(drain.stderr, /deleting Pods that declare no controller: default\/debug/);
  const left = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }))
    .items;
  const notDaemonSet = left.filter(
    (p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet'),
  );
  assert.deepEqual(
    notDaemonSet.map((p) => p.metadata?.name),
    [],
  );
  assert.ok(left.length > 0, 'the DaemonSet pods stay');
});

// After the drain: its pods are NotReady meanwhile, and the shop's budgets would hold a drain.
test('a node whose kubelet stops turns NotReady and unreachable; started again, Ready', async () => {
  const node = 'worker-5';
  const readyStatus = async () => {
    const n = await core.readNode({ name: node });
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const unreachable = n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable');
    return { ready, unreachable };
  };
  const stopped = Date.now();
  await setKubeletRunning(lab.kubeconfigPath, node, false);
  await waitFor(
    `${node} NotReady`,
    async () => {
      const { ready, unreachable } = await readyStatus();
      return ready === 'Unknown' && unreachable === true;
    },
    { timeoutMs: 90_000 },
  );
  console.log(`${node} NotReady ${Date.now() - stopped} ms after its kubelet stopped`);
  await setKubeletRunning(lab.kubeconfigPath, node, true);
  await waitFor(`${node} Ready again`, async () => {
    const { ready, unreachable } = await readyStatus();
    return ready === 'True' && !unreachable;
  });
});

test('stopLab leaves no lab process running', async () => {
  const pids = KUBERNETES_DAEMONS.map((name) => readDaemon(stateDir, name)?.pid);
  assert.ok(pids.every((pid) => pid !== undefined));
  await stopLab(stateDir);
  await waitFor('every lab process gone', async () =>
    pids.every(
      (pid) => !existsSync(`/proc/${pid}`) || / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    ),
  );
});

/** The shop's PDBs as the scenario makes them: every pod healthy, one disruption allowed. */
async function shopBudgetsSettled(): Promise<void> {
  const expected = { web: [3, 1], api: [2, 1], cache: [2, 1] };
  for (const [name, [healthy, allowed]] of Object.entries(expected)) {
    await waitFor(
      `PDB shop/${name} status`,
      async () => {
        const { status } = await policy.readNamespacedPodDisruptionBudget({
          name,
          namespace: 'shop',
        });
        return (
          (status?.currentHealthy === healthy && status.disruptionsAllowed === allowed) ||
          JSON.stringify(status)
        );
      },
      { timeoutMs: 180_000 },
    );
  }
}

async function podsOf(namespace: string, labelSelector: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector })).items;
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function evict(pod: V1Pod) {
  const { name, namespace } = pod.metadata as { name: string; namespace: string };
  return core.createNamespacedPodEviction({
    name,
    namespace,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
  });
}

async function cordon(node: string, unschedulable: boolean) {
  await objects.patch(
    { apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: { unschedulable } },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}
