// The Tigera operator migration of a Kubernetes upgrade 1.25 → 1.26 end to end on the lab, whose
// physics plays Calico's operator: Steward installs the operator's chart and the Installation
// after the step's last node, and the upgrade ends once the operator reports Calico Available,
// calico-node runs from calico-system on every node and nothing is left in kube-system. Steward
// runs as deploy/rbac makes it (with 50-tigera); the audit log shows it refused nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { helmBinary } from '../../lab/ceph/helm';
import {
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeStatus,
} from '../../workflows/api';
import { describeAuditEvent } from '../support/audit';
import { stewardRequestsNoneRefused } from '../support/rbac';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('tigera-lab.yaml', {
      rbac: ['00-identity', '10-drain', '20-kubernetes-upgrade', '50-tigera'],
    });
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const json = async (...args: string[]) =>
  JSON.parse(await stack.lab.kubectl(...args, '-o', 'json'));

/** Fails as soon as the upgrade waits for an operator (as it did when the step was refused). */
async function failOnOperatorWait(running: { done: boolean }): Promise<void> {
  const handle = stack.client.workflow.getHandle(workflowIds.upgrade('lab'));
  while (!running.done) {
    await sleep(2_000);
    const status: KubernetesUpgradeStatus | undefined = await handle
      .query(kubernetesUpgradeStatusQuery)
      .catch(() => undefined);
    const waiting = status?.waiting ?? [];
    if (waiting.length > 0) {
      await handle.terminate('the test saw an operator wait');
      assert.fail(`the upgrade waits for an operator: ${waiting.map((w) => w.reason).join('; ')}`);
    }
  }
}

it('1.25 → 1.26 moves the manifest Calico to the Tigera operator: Available, calico-system on every node, nothing left in kube-system', async () => {
  const running = { done: false };
  const watch = failOnOperatorWait(running);
  const run = stack.steward('k8s-upgrade', 'lab', '--to', '1.26', '--pause', '1s');
  const ended = await Promise.race([run, watch.then(() => undefined)]);
  running.done = true;
  await watch;
  assert.ok(ended);
  assert.equal(ended.code, 0, ended.stdout + ended.stderr);
  assert.match(
    ended.stdout,
    /lab at v1\.26\.15: upgraded 2, skipped 0; add-ons: v1\.26\.15: migrate the manifest-based Calico in kube-system to the Tigera operator$/m,
  );

  // What helm, kubectl and the operator's status say.
  const releases = JSON.parse(
    (
      await promisify(execFile)(helmBinary(), [
        'list',
        '--kubeconfig',
        stack.lab.kubeconfigPath,
        '-n',
        'tigera-operator',
        '-o',
        'json',
      ])
    ).stdout,
  );
  assert.deepEqual(
    releases.map((r: { name: string; status: string }) => `${r.name} ${r.status}`),
    ['calico deployed'],
  );
  const status = await json('get', 'tigerastatus', 'calico');
  const available = status.status.conditions.find((c: { type: string }) => c.type === 'Available');
  assert.equal(available.status, 'True');
  const nodes: string[] = (await json('get', 'nodes')).items.map(
    (n: { metadata: { name: string } }) => n.metadata.name,
  );
  const calicoPods = await json('get', 'pods', '-n', 'calico-system', '-l', 'k8s-app=calico-node');
  assert.deepEqual(
    calicoPods.items
      .filter((p: { status: { phase: string } }) => p.status.phase === 'Running')
      .map((p: { spec: { nodeName: string } }) => p.spec.nodeName)
      .sort(),
    nodes.sort(),
    'calico-node running from calico-system on every node',
  );
  const left = await stack.lab.kubectl(
    'get',
    'daemonsets,deployments,pods',
    '-n',
    'kube-system',
    '-l',
    'k8s-app in (calico-node, calico-typha, calico-kube-controllers)',
    '-o',
    'name',
  );
  assert.equal(left.trim(), '', 'nothing of the manifest Calico left in kube-system');

  // After the step's last node: the Installation came after every upgrade Job had completed.
  const installation = await json('get', 'installation', 'default');
  const jobs = (await json('get', 'jobs', '-n', 'steward-system')).items as {
    status: { completionTime: string };
  }[];
  assert.equal(jobs.length, 2);
  const lastJob = jobs
    .map((j) => j.status.completionTime)
    .sort()
    .at(-1)!;
  assert.ok(installation.metadata.creationTimestamp >= lastJob, 'after the last Job');

  const asSteward = stewardRequestsNoneRefused(stack.lab.stateDir);
  const created = asSteward.filter(
    (e) => e.verb === 'create' && e.objectRef?.resource === 'installations',
  );
  assert.deepEqual(
    created.map(describeAuditEvent),
    ['create installations default (201) by system:serviceaccount:steward-system:steward'],
    'Steward created the Installation, once',
  );
});
