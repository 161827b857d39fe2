// The Kubernetes activities against the lab's real apiserver, controller manager and scheduler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { EvictRoundInput, EvictRoundResult } from '../../activities/kubernetes/pod-eviction';
import { CORDONED_BY_ANNOTATION } from '../../activities/kubernetes/nodes';
import { INVALID_INPUT, type PodRef } from '../../workflows/api';
import { classifyPods } from '../../workflows/policy/pod-filters';
import { useLabActivities } from '../support/lab';

const ctx = useLabActivities('drain-lab.yaml', { evictionPollMs: 200 });

async function rejectsInvalid(call: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, INVALID_INPUT);
    assert.equal((err.details?.[0] as { field: string }).field, field);
    return true;
  });
}

const evictRound = (input: EvictRoundInput) =>
  new MockActivityEnvironment().run(ctx.act.evictRound, input) as Promise<EvictRoundResult>;

const nodeJson = async (name: string) =>
  JSON.parse(await ctx.lab.kubectl('get', 'node', name, '-o', 'json'));

describe('node activities', () => {
  it('name the bad field for an unknown cluster or node', async () => {
    await rejectsInvalid(ctx.act.describeNode({ cluster: 'nope', node: 'node-a' }), 'cluster');
    await rejectsInvalid(ctx.act.describeNode({ cluster: 'lab', node: 'no-such-node' }), 'node');
    await rejectsInvalid(
      ctx.act.cordonNode({ cluster: 'lab', node: 'no-such-node', owner: 'drain/lab/x' }),
      'node',
    );
  });

  it('never take over or free a cordon that someone else set, unless forced', async () => {
    const facts = await ctx.act.describeNode({ cluster: 'lab', node: 'spare-1' });
    assert.equal(facts.unschedulable, true);
    assert.equal(facts.cordonedBy, undefined);
    const cordon = await ctx.act.cordonNode({
      cluster: 'lab',
      node: 'spare-1',
      owner: 'drain/lab/spare-1',
    });
    assert.equal(cordon.cordonedBySteward, false);
    assert.equal(
      (await nodeJson('spare-1')).metadata.annotations?.[CORDONED_BY_ANNOTATION],
      undefined,
    );
    const refused = await ctx.act.uncordonNode({
      cluster: 'lab',
      node: 'spare-1',
      owner: undefined,
    });
    assert.equal(refused.uncordoned, false);
    assert.equal((await nodeJson('spare-1')).spec.unschedulable, true);
    assert.equal(
      (
        await ctx.act.uncordonNode({
          cluster: 'lab',
          node: 'spare-1',
          owner: undefined,
          force: true,
        })
      ).uncordoned,
      true,
    );
    assert.equal((await nodeJson('spare-1')).spec.unschedulable, undefined);
  });

  it('cordon records its owner, is idempotent, and uncordon removes the record', async () => {
    const owner = 'drain/lab/spare-1';
    assert.equal(
      (await ctx.act.cordonNode({ cluster: 'lab', node: 'spare-1', owner })).cordonedBySteward,
      true,
    );
    const again = await ctx.act.cordonNode({ cluster: 'lab', node: 'spare-1', owner });
    assert.deepEqual(again, {
      cordonedBySteward: true,
      message: 'already cordoned by this operation',
    });
    const other = await ctx.act.cordonNode({
      cluster: 'lab',
      node: 'spare-1',
      owner: 'k8s-upgrade/lab',
    });
    assert.equal(other.cordonedBySteward, false);
    assert.match(other.message, /already cordoned, recorded as drain\/lab\/spare-1 \(not this/);
    const node = await nodeJson('spare-1');
    assert.equal(node.spec.unschedulable, true);
    assert.equal(node.metadata.annotations[CORDONED_BY_ANNOTATION], owner);
    assert.equal(
      (await ctx.act.uncordonNode({ cluster: 'lab', node: 'spare-1', owner })).uncordoned,
      true,
    );
    const freed = await nodeJson('spare-1');
    assert.equal(freed.spec.unschedulable, undefined);
    assert.equal(freed.metadata.annotations?.[CORDONED_BY_ANNOTATION], undefined);
  });

  it("never adopts or frees a person's cordon over another run's stale record; a stale record on a schedulable node is replaced or cleared", async () => {
    const node = 'spare-2';
    const earlier = 'drain/lab/spare-2@run-earlier'; // an operator's drain, since ended
    const later = 'k8s-upgrade/lab@run-later'; // an operation of another run
    const record = async () =>
      (await nodeJson(node)).metadata.annotations?.[CORDONED_BY_ANNOTATION];
    await ctx.lab.kubectl('uncordon', node);
    assert.equal(
      (await ctx.act.cordonNode({ cluster: 'lab', node, owner: earlier })).cordonedBySteward,
      true,
    );
    // `kubectl uncordon` keeps the record; a person then cordons the node for a repair.
    await ctx.lab.kubectl('uncordon', node);
    assert.equal(await record(), earlier);
    await ctx.lab.kubectl('cordon', node);

    const cordon = await ctx.act.cordonNode({ cluster: 'lab', node, owner: later });
    assert.equal(cordon.cordonedBySteward, false, cordon.message);
    const uncordon = await ctx.act.uncordonNode({ cluster: 'lab', node, owner: later });
    assert.equal(uncordon.uncordoned, false, uncordon.message);
    assert.match(
      uncordon.message,
      /recorded as drain\/lab\/spare-2@run-earlier, not by k8s-upgrade\/lab@run-later/,
    );
    assert.equal((await nodeJson(node)).spec.unschedulable, true, "the person's cordon holds");
    assert.equal(await record(), earlier, 'the record untouched');

    // On a schedulable node the stale record is replaced by the run that cordons it ...
    await ctx.lab.kubectl('uncordon', node);
    const replaced = await ctx.act.cordonNode({ cluster: 'lab', node, owner: later });
    assert.deepEqual(replaced, {
      cordonedBySteward: true,
      message: 'cordoned (the stale record of drain/lab/spare-2@run-earlier replaced)',
    });
    assert.equal(await record(), later);
    // ... which alone frees it (a retry of that run finds its own cordon).
    assert.equal(
      (await ctx.act.cordonNode({ cluster: 'lab', node, owner: later })).cordonedBySteward,
      true,
    );
    assert.equal(
      (await ctx.act.uncordonNode({ cluster: 'lab', node, owner: earlier })).uncordoned,
      false,
    );
    assert.equal(
      (await ctx.act.uncordonNode({ cluster: 'lab', node, owner: later })).uncordoned,
      true,
    );
    assert.equal(await record(), undefined);

    // An uncordon of a schedulable node clears a stale record, whoever asks.
    await ctx.act.cordonNode({ cluster: 'lab', node, owner: earlier });
    await ctx.lab.kubectl('uncordon', node);
    assert.equal(
      (await ctx.act.uncordonNode({ cluster: 'lab', node, owner: later })).uncordoned,
      false,
    );
    assert.equal(await record(), undefined);
    await ctx.lab.kubectl('cordon', node); // as the lab started it
  });
});

describe('pod facts and eviction', () => {
  it("report each pod's controller, emptyDir use and DaemonSet", async () => {
    const facts = await ctx.act.listNodePods({ cluster: 'lab', node: 'node-a' });
    const byPrefix = (prefix: string) => facts.filter((f) => f.pod.name.startsWith(prefix));
    assert.equal(byPrefix('web-').length, 3);
    assert.ok(
      byPrefix('web-').every((f) => f.controller?.kind === 'ReplicaSet' && f.controllerExists),
    );
    assert.ok(byPrefix('cache-')[0].usesEmptyDir);
    assert.equal(byPrefix('debug')[0].controller, undefined);
    const exporter = byPrefix('node-exporter-')[0];
    assert.deepEqual([exporter.controller?.kind, exporter.controllerExists], ['DaemonSet', true]);
    const plan = classifyPods(facts, { force: false, deleteEmptyDirData: false });
    assert.deepEqual(plan.refuse.map((v) => v.pod.name.split('-')[0]).sort(), ['cache', 'debug']);
  });

  it('evicts through the Eviction API one pod at a time under maxUnavailable 1, and reports a blocking PDB', async () => {
    await ctx.lab.kubectl('cordon', 'node-a');
    await ctx.lab.kubectl('uncordon', 'spare-2');
    await ctx.lab.kubectl('uncordon', 'spare-1');
    const facts = await ctx.act.listNodePods({ cluster: 'lab', node: 'node-a' });
    const pods: PodRef[] = facts.filter((f) => /^(web|locked)-/.test(f.pod.name)).map((f) => f.pod);

    let minReadyWeb = Infinity;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const list = JSON.parse(
          await ctx.lab.kubectl('get', 'pods', '-l', 'app=web', '-o', 'json'),
        );
        const ready = list.items.filter(
          (p: {
            metadata: { deletionTimestamp?: string };
            status: { conditions?: { type: string; status: string }[] };
          }) =>
            !p.metadata.deletionTimestamp &&
            p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        ).length;
        minReadyWeb = Math.min(minReadyWeb, ready);
      }
    })();

    const result = await evictRound({
      cluster: 'lab',
      node: 'node-a',
      pods,
      roundSeconds: 12,
      reportProgressAfterSeconds: 12,
    });
    sampling = false;
    await sampler;

    const names = (refs: PodRef[]) => refs.map((p) => p.name.split('-')[0]).sort();
    assert.deepEqual(names(result.evicted), ['web', 'web', 'web']);
    assert.deepEqual(names(result.left.map((l) => l.pod)), ['locked', 'locked']);
    for (const left of result.left) {
      assert.match(
        left.blocker,
        /^PodDisruptionBudget default\/locked allows 0 disruptions \(2\/2 healthy\)$/,
      );
    }
    assert.ok(
      minReadyWeb >= 2,
      `web fell to ${minReadyWeb} ready pods; its PDB allows 1 unavailable`,
    );
    const stillOnA = JSON.parse(
      await ctx.lab.kubectl('get', 'pods', '-l', 'app=web', '-o', 'json'),
    ).items.filter((p: { spec: { nodeName: string } }) => p.spec.nodeName === 'node-a');
    assert.equal(stillOnA.length, 0, 'web pods were re-created off node-a');

    // A retried round re-reads the cluster: what is gone is reported gone, not evicted again.
    const again = await evictRound({
      cluster: 'lab',
      node: 'node-a',
      pods: result.evicted,
      roundSeconds: 5,
      reportProgressAfterSeconds: 5,
    });
    assert.deepEqual([again.evicted.length, again.gone.length, again.left.length], [0, 3, 0]);
  });
});
