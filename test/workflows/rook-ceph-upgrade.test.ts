// The Rook/Ceph upgrade's decisions on a fake Rook cluster (test/support/fake-rook-ceph.ts): Rook
// before Ceph, a gate before, after each daemon group and after; bad input refused before any
// change; an OSD that stays down stops Rook's roll (operator scaled to 0) and waits with Ceph's
// message, retry lets Rook go on, abort leaves it stopped. The real activities run in test/e2e.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import {
  decideUpdate,
  INVALID_INPUT,
  LEASE_REFUSED,
  rookCephUpgradeStatusQuery,
  workflowIds,
  type LeaseDecision,
  type RookCephUpgradeInput,
  type RookCephUpgradeStatus,
} from '../../workflows/api';
import type { rookCephUpgrade } from '../../workflows';
import { FakeRookCeph } from '../support/fake-rook-ceph';
import { recordHistory } from '../support/histories';
import { endGuard, guardActivities, takeLease } from '../support/guard';
import { useTestServer, workflowBundle } from '../support/temporal';
import { dailyWindow, untilWaitingForWindow } from '../support/windows';

const testEnv = useTestServer();
let queue = 0;

const NEW_IMAGE = 'quay.io/ceph/ceph:v18.2.6';
const ORDER = ['mon.a', 'mon.b', 'mon.c', 'mgr.a', 'osd.0', 'osd.1', 'osd.2'];

async function run<T>(
  cluster: FakeRookCeph,
  input: Partial<RookCephUpgradeInput>,
  body: (h: WorkflowHandle<typeof rookCephUpgrade>) => Promise<T>,
  workflowId = workflowIds.rookUpgrade('lab'),
  beforeStart?: (taskQueue: string) => Promise<unknown>,
): Promise<T> {
  const taskQueue = `rook-upgrade-${++queue}`;
  const worker = await Worker.create({
    connection: testEnv().nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...cluster.activities(), ...guardActivities(testEnv) },
  });
  return worker
    .runUntil(async () => {
      await beforeStart?.(taskQueue);
      const handle = await testEnv().client.workflow.start<typeof rookCephUpgrade>(
        'rookCephUpgrade',
        {
          taskQueue,
          workflowId,
          args: [{ cluster: 'lab', pauseSeconds: 0, gateTimeoutSeconds: 3, ...input }],
        },
      );
      // A failed assertion leaves no upgrade running into the next test.
      return body(handle).finally(() => handle.terminate('test ended').catch(() => undefined));
    })
    .finally(() => endGuard(testEnv, 'lab'));
}

async function untilWaiting(
  handle: WorkflowHandle<typeof rookCephUpgrade>,
): Promise<RookCephUpgradeStatus> {
  for (let i = 0; i < 300; i++) {
    const status = await handle.query(rookCephUpgradeStatusQuery);
    if (status.waitingReason) return status;
    await sleep(100);
  }
  throw new Error('never waited for an operator');
}

/** The next wait for an operator after `decided` decisions were taken. */
async function untilWaitingAfter(
  handle: WorkflowHandle<typeof rookCephUpgrade>,
  decided: number,
): Promise<RookCephUpgradeStatus> {
  for (let i = 0; i < 300; i++) {
    const status = await handle.query(rookCephUpgradeStatusQuery);
    if (status.waitingReason && status.decisions.length === decided) return status;
    await sleep(100);
  }
  throw new Error(`never waited for an operator after ${decided} decisions`);
}

const scales = (cluster: FakeRookCeph) => cluster.log.filter((l) => l.startsWith('scale'));

async function refusal(call: Promise<unknown>): Promise<{ field: string; message: string }> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, INVALID_INPUT);
    assert.equal(err.cause.nonRetryable, true);
    return {
      field: (err.cause.details?.[0] as { field: string }).field,
      message: err.cause.message,
    };
  }
  throw new Error('not refused');
}

describe('rookCephUpgrade workflow', () => {
  it('upgrades Rook first, then Ceph: each daemon rolled once per change, a gate before, after each group and after', async () => {
    const cluster = new FakeRookCeph();
    const result = await run(cluster, { rook: 'v1.16.7', ceph: NEW_IMAGE }, (h) => h.result());
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.deepEqual(
      cluster.log.filter((l) => !l.startsWith('restart')),
      ['helm v1.16.7', `image ${NEW_IMAGE}`],
    );
    assert.deepEqual(cluster.restarts(), [
      ...ORDER.map((d) => `${d} v1.16.7 quay.io/ceph/ceph:v18.2.4`),
      ...ORDER.map((d) => `${d} v1.16.7 ${NEW_IMAGE}`),
    ]);
    assert.deepEqual(
      result.gates.map((g) => g.gate),
      [
        'before',
        'after the mons at Rook v1.16.7',
        'after the mgr at Rook v1.16.7',
        'after the OSDs at Rook v1.16.7',
        `after the mons at ${NEW_IMAGE}`,
        `after the mgr at ${NEW_IMAGE}`,
        `after the OSDs at ${NEW_IMAGE}`,
        'after',
      ],
    );
    for (const g of result.gates) {
      assert.equal(g.reads, 3, g.gate);
      assert.match(g.summary, /^HEALTH_OK; 8 PGs: 8 active\+clean/, g.gate);
    }
    assert.match(result.message, /v1\.15\.9 → v1\.16\.7, quay\.io\/ceph\/ceph:v18\.2\.4 → /);
    assert.equal(result.rookStopped, false);
  });

  it("is refused, naming the holder and changing nothing, while a Kubernetes upgrade holds the cluster's lease", async () => {
    const cluster = new FakeRookCeph();
    const upgrade = {
      holder: { workflowId: workflowIds.upgrade('lab'), firstRunId: 'run-1' },
      operation: 'kubernetes-upgrade' as const,
      nodes: [],
      unavailable: 2,
    };
    let held: LeaseDecision | undefined;
    const err = await run(
      cluster,
      { rook: 'v1.16.7' },
      (h) =>
        h.result().then(
          () => assert.fail('not refused'),
          (e: unknown) => e,
        ),
      workflowIds.rookUpgrade('lab'),
      async (taskQueue) => (held = await takeLease(testEnv, taskQueue, 'lab', upgrade)),
    );
    assert.ok(held?.granted);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, LEASE_REFUSED);
    assert.equal(err.cause.nonRetryable, true);
    assert.equal(
      err.cause.message,
      `cluster lab: rook-ceph-upgrade refused: a Kubernetes upgrade and a Rook/Ceph upgrade never run at once; held by k8s-upgrade/lab (kubernetes-upgrade, 2 nodes, since ${held.lease.since})`,
    );
    assert.deepEqual(cluster.log, [], 'nothing changed');
  });

  it('bound to a closed maintenance window, changes nothing and runs no gate until it opens', async () => {
    const cluster = new FakeRookCeph();
    const opens = Date.now() + 15_000;
    const result = await run(
      cluster,
      { ceph: NEW_IMAGE, window: dailyWindow(opens, 3_600_000) },
      async (h) => {
        await untilWaitingForWindow(h);
        const status = await h.query(rookCephUpgradeStatusQuery);
        assert.match(status.waitingForWindow ?? '', / UTC is closed; next opens at /);
        assert.deepEqual(status.gates, []);
        assert.deepEqual(cluster.log, [], 'nothing changed before the window');
        assert.deepEqual((await h.describe()).searchAttributes.StewardPhase, [
          'waiting-for-window',
        ]);
        return h.result();
      },
    );
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.ok(Date.now() >= opens - 1000, 'it waited for the window');
    assert.equal(result.gates[0].gate, 'before');
  });

  it('refuses bad input before changing anything, naming the field', async () => {
    const cluster = new FakeRookCeph();
    const cases: [Partial<RookCephUpgradeInput>, string, RegExp][] = [
      [{ rook: 'v1.14.12' }, 'rook', /downgrade/],
      [{ rook: 'v1.17.4' }, 'rook', /one minor at a time/],
      [{ ceph: 'quay.io/ceph/ceph' }, 'ceph', /not a Ceph image tagged/],
      [{}, 'rook', /a Rook version, a Ceph image or both/],
    ];
    for (const [input, field, reason] of cases) {
      const refused = await run(cluster, input, (h) => refusal(h.result()));
      assert.equal(refused.field, field, refused.message);
      assert.match(refused.message, reason);
    }
    const wrongId = await run(
      cluster,
      { rook: 'v1.16.7' },
      (h) => refusal(h.result()),
      'lab-storage',
    );
    assert.equal(wrongId.field, 'workflowId');
    assert.deepEqual(cluster.log, [], 'nothing changed');
  });

  it("an OSD that stays down stops Rook's roll and waits naming it; retry lets Rook go on", async () => {
    const cluster = new FakeRookCeph();
    cluster.staysDown.add('osd.1');
    const result = await run(cluster, { ceph: NEW_IMAGE }, async (h) => {
      const waiting = await untilWaiting(h);
      assert.equal(waiting.phase, 'ceph-roll');
      assert.match(waiting.waitingReason!, /Rook's roll is stopped/);
      assert.ok(
        waiting.failing.some(
          (f) =>
            f.check === 'health' &&
            /OSD_DOWN.*osd\.1 \(root=default,host=vm\) is down/.test(f.message),
        ),
        JSON.stringify(waiting.failing),
      );
      assert.ok(waiting.failing.some((f) => f.check === 'osds' && f.message === 'osd.1 down'));
      assert.equal(cluster.replicas, 0, 'the operator is stopped');
      // The fault clears while Rook is stopped: osd.2 keeps its old image until the retry.
      cluster.staysDown.delete('osd.1');
      await sleep(500);
      assert.equal(cluster.daemon('osd.2').image, 'quay.io/ceph/ceph:v18.2.4');
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry', note: 'osd.1 back' }] });
      const done = await h.result();
      recordHistory(testEnv().address, h.workflowId, 'rook-ceph-upgrade-osd-down-retry');
      return done;
    });
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.equal(cluster.replicas, 1);
    assert.deepEqual(
      cluster.log.filter((l) => l.startsWith('scale')),
      ['scale 0', 'scale 1'],
    );
    assert.deepEqual(
      cluster.restarts(),
      ORDER.map((d) => `${d} v1.15.9 ${NEW_IMAGE}`),
    );
    assert.deepEqual(result.decisions, [{ decision: 'retry', note: 'osd.1 back' }]);
    assert.deepEqual(result.failing, []);
  });

  it('retry after a failed gate keeps Rook stopped until the gate passes, and only then lets it go on', async () => {
    const cluster = new FakeRookCeph();
    cluster.staysDown.add('osd.1');
    const result = await run(cluster, { ceph: NEW_IMAGE }, async (h) => {
      await untilWaiting(h);
      assert.equal(cluster.replicas, 0);
      // osd.1 is still down: the retry must not hand the cluster back to Rook.
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry', note: 'too soon' }] });
      const again = await untilWaitingAfter(h, 1);
      assert.equal(again.phase, 'ceph-roll');
      assert.match(again.waitingReason!, /health gate did not pass.*osd\.1 down/);
      assert.match(again.waitingReason!, /Rook's roll is stopped/);
      assert.equal(cluster.replicas, 0, 'Rook stays stopped while the gate fails');
      assert.deepEqual(scales(cluster), ['scale 0']);
      cluster.staysDown.delete('osd.1');
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry', note: 'osd.1 back' }] });
      const done = await h.result();
      recordHistory(testEnv().address, h.workflowId, 'rook-ceph-upgrade-gate-before-resume');
      return done;
    });
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.deepEqual(scales(cluster), ['scale 0', 'scale 1']);
    const resumed = result.gates.findIndex((g) => g.gate === "before Rook's roll goes on");
    assert.ok(resumed > 0, JSON.stringify(result.gates.map((g) => g.gate)));
    assert.equal(result.gates[resumed].reads, 3);
  });

  it("when the new operator's rollout is not seen in time, Rook is stopped before the wait; retry resumes it", async () => {
    const cluster = new FakeRookCeph();
    cluster.operatorStuck = true;
    const result = await run(cluster, { rook: 'v1.16.7' }, async (h) => {
      const waiting = await untilWaiting(h);
      assert.equal(waiting.phase, 'rook-operator');
      assert.match(waiting.waitingReason!, /did not roll out at v1\.16\.7/);
      assert.match(waiting.waitingReason!, /Rook's roll is stopped \(its operator scaled to 0\)/);
      assert.equal(cluster.replicas, 0, 'the new operator does not roll on while a person reads');
      assert.equal(waiting.rookStopped, true);
      cluster.operatorStuck = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      return h.result();
    });
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.deepEqual(scales(cluster), ['scale 0', 'scale 1']);
    assert.deepEqual(
      cluster.restarts(),
      ORDER.map((d) => `${d} v1.16.7 quay.io/ceph/ceph:v18.2.4`),
    );
  });

  it('awaits the MDS, RGW, NFS, rbd-mirror and crash collector rolls with a gate after each, skipping groups the cluster lacks', async () => {
    const more: [string, string][] = [
      ['mds', 'a'],
      ['mds', 'b'],
      ['rgw', 'a'],
      ['rbd-mirror', 'a'],
      ['crashcollector', 'host-1'],
    ];
    const cluster = new FakeRookCeph(more);
    const result = await run(cluster, { ceph: NEW_IMAGE }, (h) => h.result());
    assert.equal(result.outcome, 'upgraded', result.message);
    assert.deepEqual(
      cluster.restarts(),
      [...ORDER, 'mds.a', 'mds.b', 'rgw.a', 'rbd-mirror.a', 'crashcollector.host-1'].map(
        (d) => `${d} v1.15.9 ${NEW_IMAGE}`,
      ),
    );
    assert.deepEqual(
      result.gates.map((g) => g.gate),
      [
        'before',
        ...[
          'mons',
          'mgr',
          'OSDs',
          'MDS daemons',
          'RGW daemons',
          'rbd-mirror daemons',
          'crash collectors',
        ].map((g) => `after the ${g} at ${NEW_IMAGE}`),
        'after',
      ],
    );
  });

  it('an MDS whose roll does not finish stops the upgrade, naming it, instead of calling it upgraded', async () => {
    const cluster = new FakeRookCeph([
      ['mds', 'a'],
      ['mds', 'b'],
    ]);
    cluster.staysDown.add('mds.a');
    await run(cluster, { rook: 'v1.16.7' }, async (h) => {
      const waiting = await untilWaiting(h);
      assert.equal(waiting.phase, 'rook-roll');
      assert.match(
        waiting.waitingReason!,
        /^MDS daemons at Rook v1\.16\.7: not every daemon rolled .*rook-ceph-mds-b at Rook v1\.15\.9/,
      );
      assert.equal(cluster.replicas, 0);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      assert.equal((await h.result()).outcome, 'aborted');
    });
  });

  it('abort leaves Rook stopped and says so; a later upgrade is refused until Rook runs again', async () => {
    const cluster = new FakeRookCeph();
    cluster.staysDown.add('osd.1');
    const aborted = await run(cluster, { rook: 'v1.16.7' }, async (h) => {
      await untilWaiting(h);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      return h.result();
    });
    assert.equal(aborted.outcome, 'aborted');
    assert.match(aborted.message, /aborted by an operator at .*left scaled to 0/);
    assert.equal(cluster.replicas, 0);
    assert.equal(cluster.daemon('osd.2').rookVersion, 'v1.15.9');

    // A later upgrade refuses while the operator is stopped, naming the cluster.
    const refused = await run(cluster, { ceph: NEW_IMAGE }, (h) => refusal(h.result()));
    assert.equal(refused.field, 'cluster');
    assert.match(refused.message, /scaled to 0/);
  });

  it('a gate before that does not pass waits without stopping Rook, and changes nothing', async () => {
    const cluster = new FakeRookCeph();
    cluster.staysDown.add('osd.1');
    // osd.1 down before the upgrade: restarted by an earlier roll that never came back.
    cluster.rook = 'v1.15.10';
    await run(cluster, { ceph: NEW_IMAGE }, async (h) => {
      const waiting = await untilWaiting(h);
      assert.equal(waiting.phase, 'gate-before');
      assert.doesNotMatch(waiting.waitingReason!, /stopped/);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
      const result = await h.result();
      assert.match(result.message, /Rook was not stopped/);
    });
    assert.equal(cluster.replicas, 1);
    assert.ok(!cluster.log.some((l) => l.startsWith('image') || l.startsWith('scale')));
  });
});
