// A Kubernetes upgrade and the other operations on its nodes, with the real guard: a node the
// upgrade has in flight is leased to it by name, a node another operation holds is not started
// (the rollout says who holds it and goes on with the others), and a node's child that fails in
// any way becomes an operator wait for that node, never a failed rollout that would terminate its
// other nodes mid-Job. On the dev server: the time-skipping one never tells a parent that its
// child was terminated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  clusterLeasesQuery,
  decideUpdate,
  LEASE_REFUSED,
  workflowIds,
  type KubernetesUpgradeInput,
} from '../../workflows/api';
import type { drainNode } from '../../workflows';
import { FakeFleet, type FleetNode } from '../support/fake-fleet';
import { takeLease } from '../support/guard';
import { useTestServer } from '../support/temporal';
import { runUpgrade, untilStatus, untilWaiting, type UpgradeHandle } from '../support/upgrade-run';

const testEnv = useTestServer();
let queue = 0;
const VERSION = 'v1.32.13';

const NODES: FleetNode[] = [
  { name: 'cp-1', controlPlane: true },
  { name: 'w1' },
  { name: 'w2' },
  { name: 'w3' },
];

function run<T>(
  fleet: FakeFleet,
  input: Partial<KubernetesUpgradeInput>,
  body: (h: UpgradeHandle, cluster: string) => Promise<T>,
  beforeStart?: (taskQueue: string, cluster: string) => Promise<void>,
): Promise<T> {
  const cluster = `n${++queue}`;
  return runUpgrade(
    testEnv(),
    fleet,
    { cluster, target: '1.32', pauseSeconds: 1, ...input },
    (h) => body(h, cluster),
    undefined,
    beforeStart && ((taskQueue) => beforeStart(taskQueue, cluster)),
  );
}

/** A drain of `node` started on its own, as `steward drain` starts it. */
const startDrain = (taskQueue: string, cluster: string, node: string) =>
  testEnv().client.workflow.start<typeof drainNode>('drainNode', {
    taskQueue,
    workflowId: workflowIds.drain(cluster, node),
    args: [{ cluster, node, timeoutSeconds: 3600 }],
  });

/** Polls the cluster's guard until `holder` holds a lease. */
async function untilHolds(cluster: string, holder: string): Promise<void> {
  const guard = testEnv().client.workflow.getHandle(workflowIds.guard(cluster));
  for (let i = 0; i < 300; i++) {
    const leases = await guard.query(clusterLeasesQuery).then(
      (s) => s.leases,
      () => [],
    );
    if (leases.some((l) => l.holder.workflowId === holder)) return;
    await sleep(100);
  }
  throw new Error(`${holder} never held a lease of ${cluster}`);
}

const versions = (fleet: FakeFleet) =>
  Object.fromEntries([...fleet.nodes].map(([name, n]) => [name, n.kubeletVersion]));

/** A fleet whose upgrade Job of `node` cannot even be created: the activity fails for good. */
class FleetWithBrokenJob extends FakeFleet {
  constructor(
    nodes: FleetNode[],
    private readonly broken: string,
  ) {
    super(nodes);
  }

  override activities(): ReturnType<FakeFleet['activities']> {
    const activities = super.activities();
    return {
      ...activities,
      ensureUpgradeJob: async (a) => {
        if (a.node === this.broken) {
          throw ApplicationFailure.nonRetryable(`jobs are forbidden on ${a.node}`, 'Forbidden');
        }
        return activities.ensureUpgradeJob(a);
      },
    };
  }
}

describe('kubernetesUpgrade and the other operations on its nodes', () => {
  it('leases each node in flight to the upgrade: a drain or reinstall of it is refused, naming the upgrade', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w1').jobHeld = true;
    const result = await run(fleet, { maxUnavailable: 1 }, async (h, cluster) => {
      await untilStatus(h, (s) => s.inFlight.includes('w1'), 'had w1 in flight');
      for (let i = 0; i < 300 && !fleet.jobs.includes(`upgrade-w1-${VERSION} node`); i++) {
        await sleep(100);
      }
      const drain = await startDrain(`k8s-upgrade-${cluster}`, cluster, 'w1');
      const err = await drain.result().then(
        (r) => assert.fail(`the drain ran beside the upgrade: ${r.message}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure, String(err.cause));
      assert.equal(err.cause.type, LEASE_REFUSED);
      assert.match(
        err.cause.message,
        new RegExp(
          `^cluster ${cluster}: drain refused: w1 already taken; held by k8s-upgrade/${cluster} \\(kubernetes-upgrade, node w1, `,
        ),
      );
      const reinstall = await takeLease(testEnv, `k8s-upgrade-${cluster}`, cluster, {
        holder: { workflowId: workflowIds.reinstall('w1'), firstRunId: 'r1' },
        operation: 'node-reinstall',
        nodes: ['w1'],
        unavailable: 1,
      });
      assert.equal(reinstall.granted, false, 'a reinstall of w1 beside its upgrade');
      assert.match(reinstall.granted ? '' : reinstall.reason, /held by k8s-upgrade\//);
      fleet.node('w1').jobHeld = false;
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.ok(Object.values(versions(fleet)).every((v) => v === VERSION));
  });

  it('does not start a node a drain holds: it says who holds it and upgrades the others', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w2').block('web-w2');
    const result = await run(
      fleet,
      { maxUnavailable: 1 },
      async (h, cluster) => {
        const blocked = await untilStatus(
          h,
          (s) => s.upgraded.length === 3 && s.blockedBy !== undefined,
          'upgraded the other nodes and said what it waits for',
        );
        assert.deepEqual(
          blocked.upgraded.sort(),
          ['cp-1', 'w1', 'w3'].map((n) => `${n}@${VERSION}`),
        );
        assert.match(
          blocked.blockedBy ?? '',
          new RegExp(`w2 .*held by drain/${cluster}/w2 \\(drain, node w2, since `),
        );
        assert.equal(blocked.phase, 'workers');
        assert.ok(!fleet.jobs.some((j) => j.startsWith('upgrade-w2-')), 'no Job on w2');
        fleet.node('w2').unblock('web-w2');
        const drained = await testEnv()
          .client.workflow.getHandle<typeof drainNode>(workflowIds.drain(cluster, 'w2'))
          .result();
        assert.equal(drained.outcome, 'drained');
        return h.result();
      },
      async (taskQueue, cluster) => {
        await startDrain(taskQueue, cluster, 'w2');
        await untilHolds(cluster, workflowIds.drain(cluster, 'w2'));
      },
    );
    assert.equal(result.phase, 'done', result.message);
    assert.equal(result.blockedBy, undefined);
    assert.equal(fleet.node('w2').kubeletVersion, VERSION, 'w2 once the drain let it go');
  });

  it('turns a node whose child fails outright into an operator wait; the nodes in flight finish', async () => {
    const fleet = new FleetWithBrokenJob(NODES, 'w2');
    fleet.node('w1').jobHeld = true;
    const result = await run(fleet, { maxUnavailable: 2 }, async (h) => {
      const wait = await untilWaiting(h);
      assert.match(wait.reason ?? '', /w2|jobs are forbidden on w2/);
      assert.deepEqual(wait.decisions, ['retry', 'skip', 'abort']);
      fleet.node('w1').jobHeld = false;
      await untilStatus(h, (s) => s.upgraded.includes(`w1@${VERSION}`), 'let w1 finish');
      assert.equal((await h.describe()).status.name, 'RUNNING');
      await testEnv()
        .client.workflow.getHandle(wait.workflowId)
        .executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(result.skipped, [`w2@${VERSION}`]);
    assert.equal(fleet.node('w3').kubeletVersion, VERSION);
  });

  it('turns a terminated node child into an operator wait for that node; retry upgrades it', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w1').jobHeld = true;
    const result = await run(fleet, { maxUnavailable: 2 }, async (h, cluster) => {
      await untilStatus(h, (s) => s.inFlight.includes('w1'), 'had w1 in flight');
      const child = workflowIds.upgradeNode(cluster, 'w1', VERSION);
      for (let i = 0; i < 300 && !fleet.jobs.includes(`upgrade-w1-${VERSION} node`); i++) {
        await sleep(100);
      }
      await testEnv().client.workflow.getHandle(child).terminate('a person ended it');
      const wait = await untilWaiting(h);
      assert.equal(wait.workflowId, workflowIds.upgrade(cluster));
      assert.match(wait.reason ?? '', /^w1: .*terminated/i);
      assert.deepEqual(wait.decisions, ['retry', 'skip', 'abort']);
      fleet.node('w1').jobHeld = false;
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] });
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(result.skipped, []);
    assert.ok(Object.values(versions(fleet)).every((v) => v === VERSION));
  });
});
