import { BatchV1Api, CoreV1Api, KubeConfig, V1Job, V1Node } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { after, before, test } from 'node:test';
import {
  Connection,
  freePorts,
  setUpgradeFault,
  startLab,
  stopLab,
  UPGRADE_LABELS,
} from '../../lab';
import { waitFor } from '../../lab/wait';

const stateDir = mkdtempSync(join(tmpdir(), 'steward-upgrade-physics-'));
const NAMESPACE = 'steward-system';
const TARGET = 'v1.32.9';
let lab: Connection;
let core: CoreV1Api;
let batch: BatchV1Api;

before(
  async () => {
    const started = Date.now();
    lab = await startLab({
      stateDir,
      ports: await freePorts(),
      scenarioPath: join(__dirname, 'upgrade-physics.yaml'),
      physics: { restartMs: 3_000, jobMs: 200 },
    });
    console.log(`lab started in ${Date.now() - started} ms`);
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    batch = kc.makeApiClient(BatchV1Api);
    // The Job controller cannot make pods before the namespace has its default ServiceAccount.
    await waitFor('ServiceAccount steward-system/default', async () =>
      Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace: NAMESPACE })),
    );
  },
  { timeout: 300_000 },
);

after(async () => {
  await stopLab(stateDir);
  if (process.env.KEEP_LAB) console.log(stateDir);
  else rmSync(stateDir, { recursive: true, force: true });
});

/** The Job Steward's upgrade activity creates (the contract in lab/README.md). */
function upgradeJob(node: string, version: string, kubeadm: 'apply' | 'node'): V1Job {
  const labels = {
    [UPGRADE_LABELS.node]: node,
    [UPGRADE_LABELS.version]: version,
    [UPGRADE_LABELS.kubeadm]: kubeadm,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `upgrade-${node}-${version.replaceAll('.', '-')}`,
      namespace: NAMESPACE,
      labels,
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          nodeName: node,
          restartPolicy: 'Never',
          tolerations: [{ operator: 'Exists' }],
          containers: [{ name: 'upgrade', image: 'registry.k8s.io/kubeadm-upgrade:lab' }],
        },
      },
    },
  };
}

const ready = (n: V1Node) =>
  n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'missing';
const gpus = (n: V1Node) => n.status?.allocatable?.['nvidia.com/gpu'];

/** Polls the node every 100 ms and records each change of its Ready status and GPUs. */
function observe(node: string) {
  const seen: string[] = [];
  let stopped = false;
  const record = async () => {
    const n = await core.readNode({ name: node });
    const state = `Ready=${ready(n)}${gpus(n) !== undefined ? ` gpus=${gpus(n)}` : ''}`;
    if (seen.at(-1) !== state) seen.push(state);
  };
  const loop = (async () => {
    while (!stopped) {
      await record();
      await sleep(100);
    }
    // The last state, which the caller has just waited for.
    await record();
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await loop;
      return seen;
    },
  };
}

async function jobCondition(name: string): Promise<string | undefined> {
  const job = await batch.readNamespacedJob({ name, namespace: NAMESPACE });
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  )?.type;
}

async function runJob(job: V1Job, expect: 'Complete' | 'Failed'): Promise<number> {
  const started = Date.now();
  await batch.createNamespacedJob({ namespace: NAMESPACE, body: job });
  const name = job.metadata!.name!;
  await waitFor(
    `job ${name} ${expect}`,
    async () => {
      const c = await jobCondition(name);
      if (c && c !== expect) throw new Error(`job ${name} is ${c}`);
      return c === expect;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return Date.now() - started;
}

async function nodeReady(node: string): Promise<void> {
  await waitFor(
    `${node} Ready`,
    async () => ready(await core.readNode({ name: node })) === 'True',
    {
      timeoutMs: 20_000,
      intervalMs: 100,
    },
  );
}

test('a worker upgrade Job: NotReady, then Ready at the target kubelet version, Job Complete', async () => {
  const watch = observe('worker-1');
  const ms = await runJob(upgradeJob('worker-1', TARGET, 'node'), 'Complete');
  await nodeReady('worker-1');
  const seen = await watch.stop();
  console.log(`worker-1: Job complete in ${ms} ms; ${seen.join(' -> ')}`);
  assert.deepEqual(seen, ['Ready=True', 'Ready=False', 'Ready=True']);
  // KWOK leaves the kubelet version alone, also after the node turned Ready again.
  await sleep(2_000);
  const node = await core.readNode({ name: 'worker-1' });
  assert.equal(node.status?.nodeInfo?.kubeletVersion, TARGET);
  assert.equal(ready(node), 'True');
  assert.equal(
    (await core.readNode({ name: 'worker-2' })).status?.nodeInfo?.kubeletVersion,
    'v1.31.14',
  );
});

test('kubeadm upgrade apply on the control-plane node updates kubeadm-config and static pod images', async () => {
  await runJob(upgradeJob('cp-1', TARGET, 'apply'), 'Complete');
  const cm = await core.readNamespacedConfigMap({
    name: 'kubeadm-config',
    namespace: 'kube-system',
  });
  assert.equal(parse(cm.data!.ClusterConfiguration).kubernetesVersion, TARGET);
  const pods = await core.listNamespacedPod({
    namespace: 'kube-system',
    fieldSelector: 'spec.nodeName=cp-1',
  });
  const images = Object.fromEntries(
    pods.items.map((p) => [p.metadata!.labels!.component, p.spec!.containers[0].image]),
  );
  assert.deepEqual(images, {
    etcd: 'registry.k8s.io/etcd:3.5.15-0',
    'kube-apiserver': `registry.k8s.io/kube-apiserver:${TARGET}`,
    'kube-controller-manager': `registry.k8s.io/kube-controller-manager:${TARGET}`,
    'kube-scheduler': `registry.k8s.io/kube-scheduler:${TARGET}`,
  });
  await nodeReady('cp-1');
  assert.equal((await core.readNode({ name: 'cp-1' })).status?.nodeInfo?.kubeletVersion, TARGET);
});

test('a GPU node: allocatable GPUs 0 after the kubelet restart until the device plugin pod is restarted', async () => {
  const watch = observe('gpu-1');
  await runJob(upgradeJob('gpu-1', TARGET, 'node'), 'Complete');
  await nodeReady('gpu-1');
  await sleep(2_000);
  let node = await core.readNode({ name: 'gpu-1' });
  assert.equal(ready(node), 'True');
  assert.equal(gpus(node), '0', 'GPUs stay unhealthy until the plugin restarts');
  assert.equal(node.status?.capacity?.['nvidia.com/gpu'], '4');
  assert.equal(node.status?.nodeInfo?.kubeletVersion, TARGET);

  const selector = {
    namespace: 'k8s-nvidia-device-plugin',
    labelSelector: 'app.kubernetes.io/name=nvidia-device-plugin',
    fieldSelector: 'spec.nodeName=gpu-1',
  };
  const [plugin] = (await core.listNamespacedPod(selector)).items;
  await core.deleteNamespacedPod({ name: plugin.metadata!.name!, namespace: selector.namespace });
  await waitFor(
    'gpu-1 GPUs back',
    async () => gpus(await core.readNode({ name: 'gpu-1' })) === '4',
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  const seen = await watch.stop();
  console.log(`gpu-1: ${seen.join(' -> ')}`);
  assert.deepEqual(seen, [
    'Ready=True gpus=4',
    'Ready=False gpus=0',
    'Ready=True gpus=0',
    'Ready=True gpus=4',
  ]);
  const replacement = (await core.listNamespacedPod(selector)).items;
  assert.equal(replacement.length, 1);
  assert.notEqual(replacement[0].metadata?.uid, plugin.metadata?.uid);
  node = await core.readNode({ name: 'gpu-1' });
  assert.equal(node.metadata?.labels?.['lab.steward.dev/gpu-unhealthy'], undefined);
});

test('fault job-fails: the Job fails with exit code 1 and the node is not touched', async () => {
  await setUpgradeFault(lab.kubeconfigPath, 'worker-2', 'job-fails');
  const watch = observe('worker-2');
  const job = upgradeJob('worker-2', TARGET, 'node');
  await runJob(job, 'Failed');
  const seen = await watch.stop();
  assert.deepEqual(seen, ['Ready=True']);
  const node = await core.readNode({ name: 'worker-2' });
  assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.31.14');
  const [pod] = (
    await core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: `job-name=${job.metadata!.name}`,
    })
  ).items;
  assert.equal(pod.status?.phase, 'Failed');
  assert.equal(pod.status?.containerStatuses?.[0].state?.terminated?.exitCode, 1);
  await batch.deleteNamespacedJob({
    name: job.metadata!.name!,
    namespace: NAMESPACE,
    propagationPolicy: 'Background',
  });
});

test('fault never-ready: the node stays NotReady after the restart until the fault is cleared', async () => {
  await setUpgradeFault(lab.kubeconfigPath, 'worker-2', 'never-ready');
  await runJob(upgradeJob('worker-2', 'v1.32.10', 'node'), 'Complete');
  await sleep(4_000);
  let node = await core.readNode({ name: 'worker-2' });
  assert.equal(ready(node), 'False');
  assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.32.10');
  await setUpgradeFault(lab.kubeconfigPath, 'worker-2', undefined);
  await nodeReady('worker-2');
  node = await core.readNode({ name: 'worker-2' });
  assert.equal(node.metadata?.annotations?.['lab.steward.dev/fault'], undefined);
});
