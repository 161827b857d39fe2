// The rollout's decisions on the real dev server with in-memory activities: order, bounds,
// approval points, operator waits surfaced from the nodes, add-ons, selectors, continue-as-new,
// and what the Temporal UI shows of the tree (children's static summaries, activity summaries).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import {
  decideUpdate,
  kubernetesUpgradeStatusQuery,
  workflowIds,
  type KubernetesUpgradeCarried,
  type KubernetesUpgradeInput,
} from '../../workflows/api';
import { FakeFleet, type FleetNode } from '../support/fake-fleet';
import { recordHistory } from '../support/histories';
import { useTestServer } from '../support/temporal';
import { runUpgrade, untilWaiting, type UpgradeHandle } from '../support/upgrade-run';

const testEnv = useTestServer();
let queue = 0;

const NODES: FleetNode[] = [
  { name: 'cp-1', controlPlane: true },
  { name: 'cp-2', controlPlane: true },
  { name: 'w1' },
  { name: 'w2' },
  { name: 'w3' },
  { name: 'gpu-1', labels: { pool: 'gpu' } },
];

type Handle = UpgradeHandle;

function run<T>(
  fleet: FakeFleet,
  input: Partial<KubernetesUpgradeInput>,
  body: (h: Handle) => Promise<T>,
  carried?: KubernetesUpgradeCarried,
): Promise<T> {
  const cluster = `c${++queue}`;
  const upgradeInput = { cluster, target: '1.32', pauseSeconds: 1, ...input };
  return runUpgrade(testEnv(), fleet, upgradeInput, body, carried);
}

const versions = (fleet: FakeFleet) =>
  Object.fromEntries([...fleet.nodes].map(([name, n]) => [name, n.kubeletVersion]));

describe('kubernetesUpgrade workflow', () => {
  it('steps two minors: control plane first with apply once per step, workers within the bound, add-ons after each step', async () => {
    const fleet = new FakeFleet(NODES);
    const result = await run(fleet, { target: '1.33', maxUnavailable: 2 }, (h) => h.result());
    assert.equal(result.phase, 'done', result.message);
    assert.ok(Object.values(versions(fleet)).every((v) => v === 'v1.33.13'));
    for (const version of ['v1.32.13', 'v1.33.13']) {
      const jobs = fleet.jobs.filter((j) => j.includes(version));
      assert.deepEqual(jobs.slice(0, 2), [
        `upgrade-cp-1-${version} apply`,
        `upgrade-cp-2-${version} node`,
      ]);
      assert.equal(jobs.length, NODES.length);
    }
    assert.ok(fleet.worstWorkersCordoned <= 2, `${fleet.worstWorkersCordoned} workers cordoned`);
    assert.deepEqual(fleet.addonsApplied, [
      { kind: 'snapshot-controller', version: 'v8.2.0', removeKubeSystemDeployment: false },
    ]);
    assert.deepEqual(result.addonsApplied, ['v1.32.13: snapshot-controller v8.2.0']);
    assert.ok([...fleet.nodes.values()].every((n) => !n.unschedulable));
  });

  it('waits at approval points for approve; abort before the workers leaves them untouched', async () => {
    const fleet = new FakeFleet(NODES);
    const result = await run(
      fleet,
      { approvalPoints: ['before-each-step', 'before-workers'] },
      async (h) => {
        const first = await untilWaiting(h);
        assert.match(first.reason ?? '', /approval before v1\.32\.13$/);
        assert.deepEqual(first.decisions, ['approve', 'abort']);
        assert.equal((await h.query(kubernetesUpgradeStatusQuery)).phase, 'waiting-for-approval');
        assert.deepEqual(fleet.jobs, [], 'nothing before the approval');
        await assert.rejects(
          h.executeUpdate(decideUpdate, { args: [{ decision: 'retry' }] }),
          (err: Error) => /must be one of approve, abort/.test(String(err.cause)),
        );
        await h.executeUpdate(decideUpdate, { args: [{ decision: 'approve', note: 'CAB-42' }] });
        const second = await untilWaiting(h);
        assert.match(second.reason ?? '', /approval before v1\.32\.13 workers/);
        await h.executeUpdate(decideUpdate, { args: [{ decision: 'abort' }] });
        const finished = await h.result();
        recordHistory(testEnv().address, h.workflowId, 'kubernetes-upgrade-approval-abort');
        return finished;
      },
    );
    assert.equal(result.phase, 'aborted');
    assert.match(result.message, /before the workers of v1\.32\.13/);
    assert.equal(fleet.node('cp-2').kubeletVersion, 'v1.32.13');
    assert.equal(fleet.node('w1').kubeletVersion, 'v1.31.14');
    assert.deepEqual(
      result.decisions.map((d) => d.decision),
      ['approve', 'abort'],
    );
  });

  it("shows a node's wait in its own status; skip leaves the node behind in later steps too", async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w2').jobFails = true;
    const result = await run(fleet, { target: '1.33', maxUnavailable: 1 }, async (h) => {
      const wait = await untilWaiting(h);
      assert.equal(wait.workflowId, workflowIds.upgradeNode(`c${queue}`, 'w2', 'v1.32.13'));
      assert.match(wait.reason ?? '', /^upgrade-job: Job upgrade-w2-v1\.32\.13 failed/);
      assert.deepEqual(wait.decisions, ['retry', 'skip', 'abort']);
      assert.equal(fleet.node('w3').kubeletVersion, 'v1.31.14', 'the rollout stops at the failure');
      await testEnv()
        .client.workflow.getHandle(wait.workflowId)
        .executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      const finished = await h.result();
      recordHistory(testEnv().address, h.workflowId, 'kubernetes-upgrade-node-skipped');
      return finished;
    });
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(result.skipped, ['w2@v1.32.13']);
    assert.deepEqual(result.waiting, []);
    assert.deepEqual(result.leftCordoned, ['w2']);
    assert.match(result.message, /skipped 1/);
    assert.equal(fleet.node('w2').kubeletVersion, 'v1.31.14');
    assert.equal(fleet.node('w3').kubeletVersion, 'v1.33.13');
    assert.ok(!fleet.jobs.some((j) => j.startsWith('upgrade-w2-v1.33')), 'never skips a minor');
  });

  it('refills the window as each worker finishes: a slow worker holds only its own slot', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w1').jobHeld = true;
    const result = await run(fleet, { maxUnavailable: 2 }, async (h) => {
      let status = await h.query(kubernetesUpgradeStatusQuery);
      for (let i = 0; i < 600 && !status.upgraded.includes('gpu-1@v1.32.13'); i++) {
        await sleep(100);
        status = await h.query(kubernetesUpgradeStatusQuery);
      }
      assert.deepEqual(
        status.upgraded.filter((n) => !n.startsWith('cp')).sort(),
        ['gpu-1@v1.32.13', 'w2@v1.32.13', 'w3@v1.32.13'],
        'the other workers went through the second slot',
      );
      assert.deepEqual(status.inFlight, ['w1']);
      assert.equal(fleet.node('w1').kubeletVersion, 'v1.31.14', 'w1 still in its Job');
      fleet.node('w1').jobHeld = false;
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.equal(fleet.worstWorkersCordoned, 2);
    assert.deepEqual(
      fleet.jobs.filter((j) => !j.startsWith('upgrade-cp')).sort(),
      ['gpu-1', 'w1', 'w2', 'w3'].map((n) => `upgrade-${n}-v1.32.13 node`),
    );
  });

  it('starts no worker while a node waits for an operator', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w1').jobFails = true;
    const result = await run(fleet, { maxUnavailable: 2 }, async (h) => {
      const wait = await untilWaiting(h);
      for (let i = 0; i < 600 && fleet.node('w2').kubeletVersion !== 'v1.32.13'; i++) {
        await sleep(100);
      }
      for (let i = 0; i < 600 && fleet.node('w2').unschedulable; i++) await sleep(100);
      await sleep(2000);
      assert.deepEqual(
        fleet.jobs.filter((j) => !j.startsWith('upgrade-cp')).sort(),
        ['upgrade-w1-v1.32.13 node', 'upgrade-w2-v1.32.13 node'],
        'w2 finished, nothing else started',
      );
      await testEnv()
        .client.workflow.getHandle(wait.workflowId)
        .executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(result.skipped, ['w1@v1.32.13']);
    assert.equal(fleet.node('gpu-1').kubeletVersion, 'v1.32.13');
  });

  it('waits when an add-on step fails; skip records it', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.addonFails = true;
    const result = await run(fleet, { maxUnavailable: 3 }, async (h) => {
      const wait = await untilWaiting(h);
      assert.match(wait.reason ?? '', /add-on v1\.32\.13: snapshot-controller v8\.2\.0: .*refused/);
      await h.executeUpdate(decideUpdate, { args: [{ decision: 'skip' }] });
      return h.result();
    });
    assert.equal(result.phase, 'done');
    assert.deepEqual(result.addonsSkipped, ['v1.32.13: snapshot-controller v8.2.0']);
    assert.match(result.message, /add-on steps skipped 1/);
  });

  it('says what it waits for while a NotReady worker fills the bound, and goes on once it is Ready', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.notReady.add('w3');
    const result = await run(fleet, { maxUnavailable: 1 }, async (h) => {
      let blockedBy: string | undefined;
      for (let i = 0; i < 300 && !blockedBy; i++, await sleep(100)) {
        blockedBy = (await h.query(kubernetesUpgradeStatusQuery)).blockedBy;
      }
      assert.match(blockedBy ?? '', /NotReady worker\(s\) w3 to be Ready \(bound: 1 unavailable\)/);
      assert.equal(fleet.node('w1').kubeletVersion, 'v1.31.14', 'no worker starts meanwhile');
      fleet.notReady.delete('w3');
      return h.result();
    });
    assert.equal(result.phase, 'done', result.message);
    assert.equal(result.blockedBy, undefined);
    assert.equal(fleet.node('w3').kubeletVersion, 'v1.32.13');
  });

  it('upgrades only the selected workers and the whole control plane', async () => {
    const fleet = new FakeFleet(NODES);
    const result = await run(fleet, { maxUnavailable: 3, nodes: { exclude: 'pool=gpu' } }, (h) =>
      h.result(),
    );
    assert.equal(result.phase, 'done');
    assert.deepEqual(result.excluded, ['gpu-1']);
    assert.equal(fleet.node('gpu-1').kubeletVersion, 'v1.31.14');
    assert.equal(fleet.node('cp-2').kubeletVersion, 'v1.32.13');
    assert.equal(fleet.node('w3').kubeletVersion, 'v1.32.13');
  });

  it('continues as new between batches and finishes with the state carried over', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.node('w1').jobFails = true;
    const result = await run(
      fleet,
      { maxUnavailable: 1 },
      async (h) => {
        const wait = await untilWaiting(h);
        await testEnv()
          .client.workflow.getHandle(wait.workflowId)
          .executeUpdate(decideUpdate, { args: [{ decision: 'skip', note: 'rack 4 is out' }] });
        return h.result();
      },
      { continueAsNewAfterEvents: 20 },
    );
    assert.equal(result.phase, 'done', result.message);
    assert.deepEqual(result.skipped, ['w1@v1.32.13']);
    assert.equal(result.upgraded.length, NODES.length - 1);
    const continued = async () => {
      let n = 0;
      for await (const wf of testEnv().client.workflow.list({
        query: `WorkflowId = "${workflowIds.upgrade(`c${queue}`)}" AND ExecutionStatus = "ContinuedAsNew"`,
      })) {
        n += wf.status.name === 'CONTINUED_AS_NEW' ? 1 : 0;
      }
      return n;
    };
    let runs = 0;
    for (let i = 0; i < 50 && runs < 2; i++, await sleep(100)) runs = await continued();
    assert.ok(runs >= 2, `${runs} runs continued as new`);
  });

  it('continues as new while a NotReady worker blocks the window, and goes on once it is Ready', async () => {
    const fleet = new FakeFleet(NODES);
    fleet.notReady.add('w2');
    const cluster = `c${queue + 1}`;
    const continued = async () => {
      let n = 0;
      const query = `WorkflowId = "${workflowIds.upgrade(cluster)}" AND ExecutionStatus = "ContinuedAsNew"`;
      for await (const wf of testEnv().client.workflow.list({ query })) {
        n += wf.status.name === 'CONTINUED_AS_NEW' ? 1 : 0;
      }
      return n;
    };
    const result = await run(
      fleet,
      { maxUnavailable: 1 },
      async (h) => {
        // NotReady w2 fills the window of one: the run waits, checking every 10 s of (skipped) time.
        let runs = 0;
        for (let i = 0; i < 60 && runs < 2; i++) {
          await testEnv().sleep('1 minute');
          runs = await continued();
        }
        assert.ok(runs >= 2, `${runs} runs continued as new while blocked`);
        const status = await h.query(kubernetesUpgradeStatusQuery);
        assert.match(status.blockedBy ?? '', /w2/);
        assert.deepEqual(
          fleet.jobs.filter((j) => /w1|w3|gpu/.test(j)),
          [],
        );
        fleet.notReady.delete('w2');
        return h.result();
      },
      { continueAsNewAfterEvents: 20 },
    );
    assert.equal(result.phase, 'done', result.message);
    assert.equal(result.upgraded.length, NODES.length);
  });

  it("steps to a release named only by the worker's list, read when the upgrade starts", async () => {
    const fleet = new FakeFleet(NODES).at('v1.33.13');
    fleet.releases = [...fleet.releases, 'v1.34.2'];
    const result = await run(fleet, { target: '1.34', maxUnavailable: 2 }, (h) => h.result());
    assert.equal(result.phase, 'done', result.message);
    assert.ok(Object.values(versions(fleet)).every((v) => v === 'v1.34.2'));
  });
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function history(workflowId: string): Promise<HistoryEvent[]> {
  return (await testEnv().client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

const summaryOf = (e: HistoryEvent) =>
  e.userMetadata?.summary
    ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary as Payload)
    : undefined;

const summaries = (events: HistoryEvent[], attributes: keyof HistoryEvent) =>
  events.filter((e) => e[attributes]).map(summaryOf);

describe('the Temporal UI: summaries of an upgrade', () => {
  it('child workflows carry a static summary; activities carry summaries on the timeline', async () => {
    const fleet = new FakeFleet([{ name: 'cp-1', controlPlane: true }, { name: 'w1' }]);
    const cluster = 'ui1';
    await runUpgrade(testEnv(), fleet, { cluster, target: '1.32', pauseSeconds: 1 }, (h) =>
      h.result(),
    );
    const children = (await history(workflowIds.upgrade(cluster)))
      .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
      .filter((a) => a !== null && a !== undefined);
    const w1 = children.find(
      (a) => a.workflowId === workflowIds.upgradeNode(cluster, 'w1', 'v1.32.13'),
    );
    assert.ok(w1, children.map((a) => a.workflowId).join(', '));
    const w1Summary = summaries(
      await history(workflowIds.upgrade(cluster)),
      'startChildWorkflowExecutionInitiatedEventAttributes',
    );
    assert.ok(
      w1Summary.some((s) =>
        /^Upgrade node w1 of ui1 to v1\.32\.\d+ \(kubeadm upgrade node\)$/.test(s ?? ''),
      ),
      w1Summary.join(' | '),
    );

    const node = await history(w1.workflowId!);
    const drain = summaries(node, 'startChildWorkflowExecutionInitiatedEventAttributes');
    assert.deepEqual(drain, [`Drain w1 in ${cluster} for ${w1.workflowId}`]);
    const steps = summaries(node, 'activityTaskScheduledEventAttributes');
    assert.deepEqual(steps, ['wait for Job upgrade-w1-v1.32.13 on w1']);

    const drained = summaries(
      await history(workflowIds.drain(cluster, 'w1')),
      'activityTaskScheduledEventAttributes',
    );
    assert.ok(drained.includes('drain w1: evict 1 pod'), drained.join(' | '));
  });
});
