// The worker killed with SIGKILL three times in one Rook and Ceph upgrade on the lab, each kill
// timed by watching the cluster: once helm has upgraded the operator (its rollout and Rook's
// re-roll may or may not have begun), while Rook re-rolls the OSDs, and while Rook rolls the mons
// to the new image. New workers finish it, and the lab Rook operator's record shows each daemon
// restarted exactly once per change; helm's history shows one upgrade.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { helmBinary } from '../../lab/ceph/helm';
import { waitFor } from '../../lab/wait';
import { workflowIds, type RookCephUpgradeResult } from '../../workflows/api';
import { rookRestarts, sampleCeph } from '../support/lab-rook';
import { assertGatesHonest, assertRolledOnce } from '../support/rook-upgrade-checks';
import { killWorkerAndStartAnother, startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('ceph-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const ID = workflowIds.rookUpgrade('lab');
const IMAGE = 'quay.io/ceph/ceph:v18.2.6';

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await waitFor(what, async () => (await check()) || what, { timeoutMs: 300_000, intervalMs: 100 });
}

const operatorImage = async () =>
  JSON.parse(
    await stack.lab.kubectl('get', 'deploy', '-n', 'rook-ceph', 'rook-ceph-operator', '-o', 'json'),
  ).spec.template.spec.containers[0].image as string;

it(
  'a Rook and Ceph upgrade survives SIGKILL of its worker after helm, during the OSD re-roll and during the mons roll: each daemon restarted once per change',
  { timeout: 1_200_000 },
  async () => {
    const mark = rookRestarts(stack.lab).length;
    const restarted = (daemon: string, image: string) =>
      rookRestarts(stack.lab)
        .slice(mark)
        .some((r) => r.daemon === daemon && r.rook === 'v1.16.7' && r.image === image);
    const sampler = sampleCeph(stack.lab);
    const started = await stack.steward(
      'rook-upgrade',
      'lab',
      '--rook',
      'v1.16.7',
      '--ceph',
      IMAGE,
      '--pause',
      '1s',
      '--detach',
    );
    assert.equal(started.code, 0, `${started.stdout}${started.stderr}`);
    const handle = stack.client.workflow.getHandle(ID);

    const moments: [string, () => Promise<boolean>][] = [
      ['helm upgraded the operator', async () => (await operatorImage()).endsWith(':v1.16.7')],
      ['Rook re-rolls osd.0', async () => restarted('osd.0', 'quay.io/ceph/ceph:v18.2.4')],
      [`Rook rolls mon.b to ${IMAGE}`, async () => restarted('mon.b', IMAGE)],
    ];
    for (const [moment, check] of moments) {
      await until(moment, check);
      assert.equal((await handle.describe()).status.name, 'RUNNING', `at: ${moment}`);
      await killWorkerAndStartAnother(stack);
    }

    const result: RookCephUpgradeResult = await handle.result();
    await sampler.stop();
    assert.equal(result.outcome, 'upgraded', result.message);
    const restarts = rookRestarts(stack.lab).slice(mark);
    assertRolledOnce(restarts, ['v1.16.7 quay.io/ceph/ceph:v18.2.4', `v1.16.7 ${IMAGE}`]);
    assertGatesHonest(result, restarts, sampler.samples);
    const history = JSON.parse(
      (
        await promisify(execFile)(helmBinary(), [
          'history',
          'rook-ceph',
          '--namespace',
          'rook-ceph',
          '--kubeconfig',
          stack.lab.kubeconfigPath,
          '--output',
          'json',
        ])
      ).stdout,
    ) as { revision: number; chart: string; status: string }[];
    assert.deepEqual(
      history.map((h) => `${h.revision} ${h.chart} ${h.status}`),
      ['1 rook-ceph-v1.15.9 superseded', '2 rook-ceph-v1.16.7 deployed'],
      'one helm upgrade',
    );
  },
);
