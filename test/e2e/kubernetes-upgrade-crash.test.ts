// The worker killed with SIGKILL in the middle of a Kubernetes upgrade, four times in one rollout,
// each kill timed by watching the cluster: twice while a node's upgrade Job runs (the control
// plane's `kubeadm upgrade apply`, a worker's `kubeadm upgrade node`) and twice while a worker
// drains. A new worker finishes the rollout, and the apiserver's audit log shows every node's Job
// created once and every pod evicted once.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { waitFor } from '../../lab/wait';
import { workflowIds, type KubernetesUpgradeResult } from '../../workflows/api';
import { auditEvents, evictionsByPod, jobCreationsByName } from '../support/audit';
import { LabCluster } from '../support/lab-cluster';
import { LAB_TARGET, startLabUpgrade } from '../support/lab-upgrade';
import { killWorkerAndStartAnother, startTestStack, type TestStack } from '../support/stack';

const NODES = ['cp-1', 'worker-1', 'worker-2', 'worker-3'];

let stack: TestStack;
let cluster: LabCluster;

before(
  async () => {
    stack = await startTestStack('upgrade-small-lab.yaml');
    cluster = new LabCluster(stack.lab.kubeconfigPath);
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

/** Waits until the node's upgrade Job exists and is still running. */
async function jobRunning(node: string): Promise<string> {
  let seen = '';
  await waitFor(
    `the upgrade Job of ${node} running`,
    async () => {
      const job = (await cluster.upgradeJobs()).find((j) => j.node === node);
      seen = job ? `${job.key} ${job.state}` : 'no Job yet';
      return job?.state === 'running' || seen;
    },
    { timeoutMs: 300_000, intervalMs: 100 },
  );
  return seen;
}

/** Waits until the node is cordoned and some, not all, of its pods have been evicted. */
async function drainHalfDone(node: string): Promise<string> {
  const pods = await cluster.evictablePodsOn(node);
  assert.ok(pods.length >= 2, `${node} has ${pods.length} pods to evict`);
  let seen = '';
  await waitFor(
    `${node} cordoned with evictions begun`,
    async () => {
      const evictions = evictionsByPod(stack.lab.stateDir);
      const evicted = pods.filter((p) => evictions.has(p)).length;
      const cordoned = (await cluster.node(node)).cordoned;
      seen = `${node} cordoned=${cordoned}, ${evicted} of ${pods.length} pods evicted`;
      return (cordoned && evicted > 0 && evicted < pods.length) || seen;
    },
    { timeoutMs: 300_000, intervalMs: 50 },
  );
  return seen;
}

it(
  'an upgrade survives SIGKILL of its worker during two upgrade Jobs and two drains: each Job created once, each pod evicted once',
  { timeout: 900_000 },
  async () => {
    await startLabUpgrade(stack);
    const handle = stack.client.workflow.getHandle(workflowIds.upgrade('lab'));

    const moments: [string, () => Promise<string>][] = [
      ['job', () => jobRunning('cp-1')],
      ['drain', () => drainHalfDone('worker-1')],
      ['job', () => jobRunning('worker-2')],
      ['drain', () => drainHalfDone('worker-3')],
    ];
    const killedAt: string[] = [];
    for (const [kind, moment] of moments) {
      const seen = await moment();
      assert.equal((await handle.describe()).status.name, 'RUNNING', `at ${seen}`);
      killedAt.push(`${kind}: ${seen}`);
      await killWorkerAndStartAnother(stack);
    }

    const result: KubernetesUpgradeResult = await handle.result();
    assert.equal(result.phase, 'done', `${result.message}\nkilled at:\n${killedAt.join('\n')}`);
    assert.deepEqual(
      [...result.upgraded].sort(),
      NODES.map((n) => `${n}@${LAB_TARGET}`),
    );
    for (const node of await cluster.nodes()) {
      assert.equal(node.kubeletVersion, LAB_TARGET, node.name);
      assert.equal(node.cordoned, false, `${node.name} left cordoned`);
    }

    const jobs = await cluster.upgradeJobs();
    assert.deepEqual(
      jobs.map((j) => `${j.node} ${j.state}`).sort(),
      NODES.map((n) => `${n} succeeded`),
    );
    const creations = jobCreationsByName(stack.lab.stateDir);
    assert.deepEqual(
      [...creations].sort(),
      jobs.map((j): [string, number] => [j.key, 1]).sort(),
      'each upgrade Job created exactly once',
    );
    assert.deepEqual(
      auditEvents(stack.lab.stateDir).filter(
        (e) => e.verb === 'delete' && e.objectRef?.resource === 'jobs',
      ),
      [],
      'no upgrade Job deleted',
    );
    const evictions = evictionsByPod(stack.lab.stateDir);
    assert.ok(evictions.size >= 12, `only ${evictions.size} pods evicted`);
    for (const [pod, count] of evictions) assert.equal(count, 1, `${pod} evicted ${count} times`);
  },
);
