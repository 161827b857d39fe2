// The device-plugin activities against the lab, whose upgrade physics makes a GPU node report
// its GPUs unhealthy after a kubelet restart until the plugin pod restarts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GpuFacts } from '../../activities/kubernetes/device-plugin';
import { useLabActivities } from '../support/lab';

const plugin = {
  cluster: 'lab',
  node: 'gpu-1',
  namespace: 'k8s-nvidia-device-plugin',
  labelSelector: 'app.kubernetes.io/instance=nvdp',
};

const ctx = useLabActivities('gpu-lab.yaml');

async function until(what: string, check: (f: GpuFacts) => boolean): Promise<GpuFacts> {
  for (let i = 0; i < 300; i++) {
    const facts = await ctx.act.gpuFacts(plugin);
    if (check(facts)) return facts;
    await sleep(200);
  }
  throw new Error(`never: ${what}`);
}

it('a restarted device plugin brings the GPUs back after a kubelet restart; a retried delete spares the new pod', async () => {
  const before = await until('plugin ready', (f) => f.plugins.some((p) => p.ready));
  assert.deepEqual([before.capacity, before.allocatable], [4, 4]);

  const job = await ctx.act.ensureUpgradeJob({
    cluster: 'lab',
    node: 'gpu-1',
    version: 'v1.32.13',
    kubeadm: 'node',
    image: 'debian:bookworm-slim',
  });
  await until('GPUs unhealthy after the kubelet restart', (f) => f.allocatable === 0);
  // As the upgrade does: restart the plugin once the node is back at its new kubelet.
  for (let i = 0; ; i++) {
    const node = await ctx.act.describeNode({ cluster: 'lab', node: 'gpu-1' });
    if (node.ready && node.kubeletVersion === 'v1.32.13') break;
    assert.ok(i < 300, 'gpu-1 never came back Ready at v1.32.13');
    await sleep(200);
  }
  const unhealthy = await ctx.act.gpuFacts(plugin);
  assert.deepEqual(
    [unhealthy.capacity, unhealthy.allocatable],
    [4, 0],
    'GPUs stay unhealthy until the plugin restarts',
  );

  const [old] = unhealthy.plugins;
  assert.equal(await ctx.act.deletePodOnce({ cluster: 'lab', ...old }), true);
  const back = await until(
    'GPUs back with a new ready plugin pod',
    (f) => f.allocatable === 4 && f.plugins.some((p) => p.ready && p.uid !== old.uid),
  );
  assert.ok(back.plugins.every((p) => p.uid !== old.uid));
  // The retry of the same delete must not touch the replacement, whatever its name.
  await ctx.act.deletePodOnce({ cluster: 'lab', ...old });
  assert.deepEqual(
    (await ctx.act.gpuFacts(plugin)).plugins.map((p) => p.uid),
    back.plugins.map((p) => p.uid),
  );
  for (
    let i = 0;
    (await ctx.act.upgradeJobState({ cluster: 'lab', name: job.name })).state !== 'succeeded';
    i++
  ) {
    assert.ok(i < 150, 'the upgrade Job never succeeded');
    await sleep(200);
  }
});
