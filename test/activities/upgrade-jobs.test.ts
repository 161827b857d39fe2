// Upgrade Jobs against the lab's real apiserver and Job controller.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { watchChanges } from '../../activities/kubernetes/change-feed';
import { Clusters } from '../../activities/kubernetes/clusters';
import type { NodeFacts } from '../../activities/kubernetes/nodes';
import {
  nodeObjects,
  upgradeJobObjects,
  type WaitResult,
} from '../../activities/kubernetes/step-waits';
import { UPGRADE_NAMESPACE } from '../../activities/kubernetes/upgrade-jobs';
import { labClusterConfig } from '../../scripts/stack';
import { useLabActivities } from '../support/lab';

const ctx = useLabActivities('drain-lab.yaml');

const job = {
  cluster: 'lab',
  node: 'node-a',
  version: 'v1.32.13',
  kubeadm: 'node' as const,
  image: 'debian:bookworm-slim',
};

async function until(state: string, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await ctx.act.upgradeJobState({ cluster: 'lab', name })).state === state) return;
    await sleep(200);
  }
  throw new Error(`Job ${name} never ${state}`);
}

describe('upgrade Jobs', () => {
  it('are created once per node and version, pinned to the node, and run to completion', async () => {
    const first = await ctx.act.ensureUpgradeJob(job);
    const again = await ctx.act.ensureUpgradeJob(job);
    assert.deepEqual(first, { name: 'upgrade-node-a-v1-32-13', created: true });
    assert.deepEqual(again, { name: 'upgrade-node-a-v1-32-13', created: false });
    const jobs = JSON.parse(
      await ctx.lab.kubectl('get', 'jobs', '-n', UPGRADE_NAMESPACE, '-o', 'json'),
    ).items;
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].spec.template.spec.nodeName, 'node-a');
    await until('succeeded', first.name);
  });

  it('refuse a Job of that name that is not this upgrade', async () => {
    await ctx.act.deleteUpgradeJob({ cluster: 'lab', name: 'upgrade-node-a-v1-32-13' });
    await ctx.lab.kubectl(
      'create',
      'job',
      'upgrade-node-a-v1-32-13',
      '-n',
      UPGRADE_NAMESPACE,
      '--image=busybox',
    );
    await assert.rejects(
      ctx.act.ensureUpgradeJob(job),
      (err: unknown) => err instanceof ApplicationFailure && err.type === 'JobNameTaken',
    );
    await ctx.act.deleteUpgradeJob({ cluster: 'lab', name: 'upgrade-node-a-v1-32-13' });
    await ctx.act.deleteUpgradeJob({ cluster: 'lab', name: 'upgrade-node-a-v1-32-13' }); // idempotent
  });

  it('are awaited in one activity: done once the pod succeeded; a deadline ends a wait unreached', async () => {
    const spare = { ...job, node: 'spare-1' };
    const { name } = await ctx.act.ensureUpgradeJob(spare);
    const env = new MockActivityEnvironment();
    const deadlineMs = Date.now() + 60_000;
    const done = await env.run(ctx.act.awaitUpgradeJob, { cluster: 'lab', name, deadlineMs });
    assert.deepEqual(done, { reached: true, last: { state: 'succeeded' } });

    const started = Date.now();
    const never = (await env.run(ctx.act.awaitNodeReady, {
      cluster: 'lab',
      node: 'spare-1',
      version: 'v9.9.9',
      deadlineMs: started + 1_000,
    })) as WaitResult<NodeFacts>;
    assert.equal(never.reached, false);
    assert.equal(never.last.name, 'spare-1');
    assert.notEqual(never.last.kubeletVersion, 'v9.9.9');
    assert.ok(Date.now() - started >= 1_000);
    await ctx.act.deleteUpgradeJob({ cluster: 'lab', name });
  });

  it('waits are woken by a watch of what they read, and poll when it cannot start', async () => {
    const watch = watchChanges(new Clusters({ lab: labClusterConfig(ctx.lab) }));
    const node = nodeObjects('spare-1');
    const job = watch('lab', upgradeJobObjects('upgrade-spare-1-v1-32-13'));
    await job.started;
    assert.equal(job.live, true);
    job.stop();
    const feed = watch('lab', [node]);
    await feed.started;
    try {
      assert.equal(feed.live, true);
      await feed.next(30_000); // the watch's first event: the node as it is
      let started = Date.now();
      await feed.next(500);
      assert.ok(Date.now() - started >= 450, 'woken although nothing changed');
      started = Date.now();
      const woken = feed.next(30_000);
      await ctx.lab.kubectl('label', 'node', 'spare-1', `steward.dev/test-${started}=x`);
      await woken;
      assert.ok(Date.now() - started < 10_000, 'a change did not wake the wait');
    } finally {
      feed.stop();
    }
    assert.equal(feed.live, false);
    const missing = watch('lab', [node, { path: '/api/v1/no-such-things' }]);
    await missing.started;
    assert.equal(missing.live, false);
    missing.stop();
  });
});
