// A Rook/Ceph upgrade whose roll goes wrong on the lab's real Ceph: an OSD that does not come back
// after its restart. The upgrade stops Rook's roll before the next daemon (the operator scaled to
// 0) and waits, naming the OSD and quoting Ceph in the query, the UI's current details and
// `steward status`; once the OSD is back, `retry` lets Rook go on to the end. Then, on the same
// lab, an OSD down at the end of a roll and `abort`: the result says Rook is left stopped.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { setCephDaemonFault } from '../../lab';
import { waitFor } from '../../lab/wait';
import {
  rookCephUpgradeStatusQuery,
  workflowIds,
  type RookCephUpgradeResult,
} from '../../workflows/api';
import { cephJson, daemonLabels, rookRestarts } from '../support/lab-rook';
import { assertRolledOnce } from '../support/rook-upgrade-checks';
import { currentDetails, startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;

before(
  async () => {
    stack = await startTestStack('ceph-lab.yaml');
  },
  { timeout: 300_000 },
);
after(async () => stack?.stop());

const ID = workflowIds.rookUpgrade('lab');
const output = (run: { stdout: string; stderr: string }) => `${run.stdout}${run.stderr}`;
const ceph = (...args: string[]) => cephJson(stack.lab, ...args);
const operatorReplicas = async () =>
  JSON.parse(
    await stack.lab.kubectl('get', 'deploy', '-n', 'rook-ceph', 'rook-ceph-operator', '-o', 'json'),
  ).spec.replicas as number;

/** Starts the upgrade detached and follows it as an operator would until it waits (exit 3). */
async function upgradeUntilWaiting(...args: string[]): Promise<string> {
  const started = await stack.steward(
    'rook-upgrade',
    'lab',
    ...args,
    '--pause',
    '1s',
    '--gate-timeout',
    '120s',
    '--detach',
  );
  assert.equal(started.code, 0, output(started));
  const watched = await stack.steward('watch', ID, '--until-wait');
  assert.equal(watched.code, 3, output(watched));
  return watched.stdout;
}

it(
  'an OSD that stays down stops the roll before the next OSD and waits naming it; retry after it is back finishes',
  { timeout: 900_000 },
  async () => {
    const image = 'quay.io/ceph/ceph:v18.2.6';
    const mark = rookRestarts(stack.lab).length;
    await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.1', 'stays-down');
    try {
      const waited = await upgradeUntilWaiting('--ceph', image);
      assert.match(waited, /osds: osd\.1 down/, waited);

      // Ceph's own words on the OSD, quoted in every view of the wait.
      const detail = await ceph('health', 'detail');
      const cephSays = (detail.checks.OSD_DOWN.detail as { message: string }[]).map(
        (d) => d.message,
      );
      assert.deepEqual(cephSays, ['osd.1 (root=default,host=vm) is down']);
      const status = await stack.steward('status', ID);
      assert.equal(status.code, 3, output(status));
      const details = await currentDetails(stack, ID);
      const query = await stack.client.workflow.getHandle(ID).query(rookCephUpgradeStatusQuery);
      for (const [view, text] of [
        ['steward status', status.stdout],
        ['UI details', details],
        ['query', query.failing.map((f) => `${f.check}: ${f.message}`).join('\n')],
      ]) {
        assert.match(text, /osds: osd\.1 down/, view);
        assert.ok(text.includes(cephSays[0]), `${view} quotes Ceph: ${text}`);
      }
      assert.ok(query.waitingReason, 'the query says it waits');
      assert.match(query.waitingReason!, /Rook's roll is stopped/);
      assert.ok(query.rookStopped);
      assert.match(details, /steward decide rook-upgrade\/lab retry\|abort/);
      assert.equal(await operatorReplicas(), 0, 'Steward stopped Rook');

      // osd.1 comes back (the fault cleared): Rook stays stopped, osd.2 keeps its old version.
      await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.1', undefined);
      await waitFor('osd.1 up', async () => (await ceph('osd', 'dump')).osds[1].up === 1, {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      await new Promise((r) => setTimeout(r, 5_000));
      assert.equal((await daemonLabels(stack.lab, 'ceph-version'))['rook-ceph-osd-2'], '18.2.4-0');
      assert.ok(
        !rookRestarts(stack.lab)
          .slice(mark)
          .some((r) => r.daemon === 'osd.2'),
        'osd.2 untouched',
      );
    } finally {
      await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.1', undefined);
    }

    const decided = await stack.steward('decide', ID, 'retry', '--note', 'osd.1 is back');
    assert.equal(decided.code, 0, output(decided));
    const finished = await stack.steward('watch', ID);
    assert.equal(finished.code, 0, output(finished));
    const result: RookCephUpgradeResult = await stack.client.workflow.getHandle(ID).result();
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.deepEqual(result.decisions, [{ decision: 'retry', note: 'osd.1 is back' }]);
    assert.ok(
      result.log.includes("Rook's operator scaled back to 1: its roll goes on"),
      result.log.join('\n'),
    );
    assert.equal(await operatorReplicas(), 1);
    assertRolledOnce(rookRestarts(stack.lab).slice(mark), [`v1.15.9 ${image}`]);
    assert.equal((await ceph('health')).status, 'HEALTH_OK');
  },
);

it(
  'abort at a gate that does not pass: the result says so and Rook is left stopped',
  { timeout: 600_000 },
  async () => {
    await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.2', 'stays-down');
    try {
      const waited = await upgradeUntilWaiting('--ceph', 'quay.io/ceph/ceph:v18.2.7');
      assert.match(waited, /waiting for an operator: .*Rook's roll is stopped/);
      const decided = await stack.steward('decide', ID, 'abort', '--note', 'osd.2 needs a look');
      assert.equal(decided.code, 0, output(decided));
      const finished = await stack.steward('watch', ID);
      assert.equal(finished.code, 1, output(finished));
      assert.match(
        finished.stdout,
        /aborted by an operator at .*Rook's operator is left scaled to 0/,
      );
      const result: RookCephUpgradeResult = await stack.client.workflow.getHandle(ID).result();
      assert.equal(result.outcome, 'aborted');
      assert.ok(result.rookStopped);
      assert.equal(await operatorReplicas(), 0);
      // Another upgrade is refused while Rook is stopped, naming the cluster.
      const again = await stack.steward(
        'rook-upgrade',
        'lab',
        '--ceph',
        'quay.io/ceph/ceph:v18.2.7',
      );
      assert.equal(again.code, 2, output(again));
      assert.match(output(again), /cluster: the Rook operator is scaled to 0/);
    } finally {
      await setCephDaemonFault(stack.lab.kubeconfigPath, 'osd.2', undefined);
    }
  },
);
