// The datacenter scenario (lab/scenarios/datacenter.yaml), as the tour uses it: one operation of
// each kind, in order, through the CLI on one lab. Each is judged by the servers' own records:
// Nova's hosts, the BMCs' logs, the apiserver's nodes, Helm's release.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { processesOf } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import {
  hypervisorEvictionWatchStatusQuery,
  workflowIds,
  type HypervisorEvictionResult,
  type KubernetesUpgradeResult,
  type NodeReinstallResult,
  type RookCephUpgradeResult,
} from '../../workflows/api';
import { ipmitool } from '../support/ipmitool';
import { powerCommands } from '../support/lab-bare-metal';
import { LabCluster } from '../support/lab-cluster';
import { rookHelmRelease } from '../support/lab-rook';
import { LAB_TARGET, startLabUpgrade } from '../support/lab-upgrade';
import { computeServices, listServers } from '../support/openstack';
import { startTestStack, type TestStack } from '../support/stack';

const SCENARIO = '../../lab/scenarios/datacenter.yaml';
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;

let stack: TestStack;
before(
  async () => {
    const started = Date.now();
    stack = await startTestStack(SCENARIO);
    const rssKiB = processesOf(stack.lab.stateDir)
      .map(({ pid }) => /VmRSS:\s+(\d+)/.exec(readStatus(pid))?.[1])
      .reduce((sum, kib) => sum + Number(kib ?? 0), 0);
    console.log(
      `datacenter up in ${((Date.now() - started) / 1000).toFixed(0)} s, its processes ${(rssKiB / 1024 / 1024).toFixed(1)} GiB RSS`,
    );
  },
  { timeout: 900_000 },
);
after(async () => stack?.stop());

function readStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

it('hypervisor eviction: a BMC power cut on hv-1, the watch moves its instances', async () => {
  const os = stack.lab.openstack!;
  // A nova-compute's start is CPU-bound: a host not up yet would count as failed beside hv-1.
  await waitFor(
    'every compute service up',
    async () => (await computeServices(os)).every((s) => s.state === 'up'),
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
  const onHost = (await listServers(os)).filter((s) => s.Host === 'hv-1').map((s) => s.ID);
  assert.ok(onHost.length > 0, 'instances on hv-1');
  const watch = await stack.steward('evict-watch', 'lab', '--interval', '5s', '--grace', '2');
  assert.equal(watch.code, 0, output(watch));
  const cut = Date.now();
  const off = await ipmitool(stack.lab, SCENARIO, 'hv-1', ['chassis', 'power', 'off']);
  assert.equal(off.code, 0, off.stderr);
  await waitFor(
    'the watch started evict/lab/hv-1',
    async () =>
      (
        await stack.client.workflow
          .getHandle(workflowIds.evictWatch('lab'))
          .query(hypervisorEvictionWatchStatusQuery)
      ).startedThisRun.includes('hv-1'),
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  const result: HypervisorEvictionResult = await stack.client.workflow
    .getHandle(workflowIds.evict('lab', 'hv-1'))
    .result();
  assert.equal(result.outcome, 'evicted', result.message);
  console.log(`power cut → evicted in ${((Date.now() - cut) / 1000).toFixed(0)} s`);
  const now = await listServers(os);
  for (const id of onHost) {
    const server = now.find((s) => s.ID === id);
    assert.ok(server && server.Host !== 'hv-1', `${id} moved off hv-1 (Nova says ${server?.Host})`);
  }
});

it('node reinstall: worker-1 through its BMC and PXE, back Ready and uncordoned', async () => {
  const cluster = new LabCluster(stack.lab.kubeconfigPath);
  const bootId = (await cluster.node('worker-1')).bootId;
  const run = await stack.steward('reinstall', 'worker-1');
  assert.equal(run.code, 0, output(run));
  const result: NodeReinstallResult = await stack.client.workflow
    .getHandle(workflowIds.reinstall('worker-1'))
    .result();
  assert.equal(result.outcome, 'reinstalled', result.message);
  assert.deepEqual(powerCommands(stack.lab, 'worker-1'), [
    'set power 0',
    'set boot pxe',
    'set power 1',
  ]);
  const node = await cluster.node('worker-1');
  assert.ok(node.ready && !node.cordoned, 'worker-1 Ready and uncordoned');
  assert.notEqual(node.bootId, bootId, 'worker-1 booted again');
});

it("Rook/Ceph upgrade: the operator's chart v1.15.9 → v1.16.7 behind the health gates", async () => {
  const run = await stack.steward('rook-upgrade', 'lab', '--rook', 'v1.16.7', '--pause', '1s');
  assert.equal(run.code, 0, output(run));
  const result: RookCephUpgradeResult = await stack.client.workflow
    .getHandle(workflowIds.rookUpgrade('lab'))
    .result();
  assert.equal(result.outcome, 'upgraded', result.message);
  const release = await rookHelmRelease(stack.lab);
  assert.deepEqual([release.chart, release.status], ['rook-ceph-v1.16.7', 'deployed']);
});

it('Kubernetes upgrade 1.31 → 1.32 with the GPU worker: every node at the target, none cordoned', async () => {
  await startLabUpgrade(stack);
  const result: KubernetesUpgradeResult = await stack.client.workflow
    .getHandle(workflowIds.upgrade('lab'))
    .result();
  assert.equal(result.phase, 'done', result.message);
  const nodes = await new LabCluster(stack.lab.kubeconfigPath).nodes();
  for (const n of nodes.filter((n) => !n.name.startsWith('lab-'))) {
    assert.equal(n.kubeletVersion, LAB_TARGET, `${n.name}'s kubelet`);
    assert.ok(!n.cordoned, `${n.name} schedulable`);
  }
});
