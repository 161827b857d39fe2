// Benchmark: a hypervisor's BMC power cut on the real Nova lab (four hypervisors, two instances
// each) and the time from the cut to "fenced" and to "all its instances active elsewhere", with
// the watch's poll interval and grace next to them. Nova itself needs its service_down_time (10 s
// in the lab) to see the host down; the watch then needs `grace` polls.
// With --bulk N it then boots instances until hv-2 and hv-3 each hold N, kills each one's compute
// and times `hypervisorEviction` of it at concurrency 4 (hv-2) and 16 (hv-3).
//   node --import tsx scripts/bench/eviction.ts [--interval 5] [--grace 2] [--bulk 50]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import {
  bmcAddress,
  bmcCredentials,
  freePorts,
  setComputeRunning,
  startLab,
  type NovaConnection,
} from '../../lab';
import { OpenStackApi } from '../../lab/nova/api';
import { FLAVOR } from '../../lab/nova/compute-seed';
import { waitFor } from '../../lab/wait';
import {
  hypervisorEvictionStatusQuery,
  TASK_QUEUE,
  workflowIds,
  type HypervisorEvictionResult,
} from '../../workflows/api';
import { freeStackPorts, startTemporalAndWorker } from '../stack';
import { runBenchmark, seconds } from './measure';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const INTERVAL = flag('--interval', 5);
const GRACE = flag('--grace', 2);
const HOST = 'hv-1';
const BULK = flag('--bulk', 0);

const adminApi = (os: NovaConnection) =>
  new OpenStackApi({
    authUrl: os.authUrl,
    username: os.admin.username,
    password: readFileSync(os.admin.passwordFile, 'utf8').trim(),
    project: os.admin.project,
  });

/** Boots instances on `host` (2.74's `host`) until it holds `count`, four at a time. */
async function fillHost(os: NovaConnection, host: string, count: number): Promise<void> {
  const api = adminApi(os);
  const call = <T>(method: string, path: string, body?: unknown) =>
    api.call<T>(method, `${os.computeUrl}${path}`, body, { microversion: '2.74' });
  const onHost = async () =>
    (
      await call<{ servers: { status: string; image: { id: string } }[] }>(
        'GET',
        `/servers/detail?all_tenants=1&host=${host}`,
      )
    ).servers;
  const { flavors } = await call<{ flavors: { id: string; name: string }[] }>('GET', '/flavors');
  const flavorRef = flavors.find((f) => f.name === FLAVOR)!.id;
  // Nova's image proxy is gone at 2.36+: the lab's image, as the seeded instances run it.
  const imageRef = (await onHost())[0].image.id;
  const missing = count - (await onHost()).length;
  for (let i = 0; i < missing; i += 4) {
    const batch = Array.from(
      { length: Math.min(4, missing - i) },
      (_, j) => `bulk-${host}-${i + j}`,
    );
    await Promise.all(
      batch.map((name) =>
        call('POST', '/servers', { server: { name, flavorRef, imageRef, networks: 'none', host } }),
      ),
    );
  }
  await waitFor(
    `${count} instances ACTIVE on ${host}`,
    async () => {
      const servers = await onHost();
      const active = servers.filter((s) => s.status === 'ACTIVE').length;
      return active >= count || `${active} of ${count}`;
    },
    { timeoutMs: 600_000, intervalMs: 2_000 },
  );
}

/** Kills `host`'s compute, waits until Nova calls it down, and times its eviction. */
async function timeEviction(
  client: Client,
  stateDir: string,
  os: NovaConnection,
  host: string,
  concurrency: number,
): Promise<string> {
  await setComputeRunning(stateDir, [host], false);
  await waitFor(
    `${host} down in Nova`,
    async () => {
      const { services } = await adminApi(os).call<{ services: { state: string }[] }>(
        'GET',
        `${os.computeUrl}/os-services?binary=nova-compute&host=${host}`,
      );
      return services[0]?.state === 'down';
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const t0 = performance.now();
  const result = (await client.workflow.execute('hypervisorEviction', {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIds.evict('lab', host),
    args: [{ region: 'lab', host, concurrency }],
  })) as HypervisorEvictionResult;
  const moved = result.instances.filter((i) => i.state === 'moved');
  const slowest = Math.max(...moved.map((i) => i.seconds ?? 0));
  return `${result.outcome}: ${moved.length} of ${result.instances.length} instances from ${host} at concurrency ${concurrency}: eviction ${seconds(performance.now() - t0)} s (the slowest instance ${slowest.toFixed(1)} s from its request)`;
}

runBenchmark('steward-bench-evict-', async (stateDir) => {
  const t0 = performance.now();
  const lab = await startLab({
    stateDir,
    scenarioPath: join(__dirname, '../../test/fixtures/nova-lab.yaml'),
    ports: await freePorts(),
  });
  const { client } = await startTemporalAndWorker(stateDir, await freeStackPorts(), lab);
  console.log(`lab, Temporal and worker up in ${seconds(performance.now() - t0)} s`);
  await client.workflow.start('hypervisorEvictionWatch', {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIds.evictWatch('lab'),
    args: [{ region: 'lab', intervalSeconds: INTERVAL, gracePolls: GRACE }],
  });
  const { username, password } = bmcCredentials(HOST);
  const cut = performance.now();
  await promisify(execFile)(
    'ipmitool',
    [
      ...['-I', 'lanplus', '-C', '3', '-H', bmcAddress(0), '-p', String(lab.bareMetal!.bmc.port)],
      ...['-U', username, '-E', 'chassis', 'power', 'off'],
    ],
    { env: { ...process.env, IPMI_PASSWORD: password } },
  );
  const eviction = client.workflow.getHandle(workflowIds.evict('lab', HOST));
  let fencedMs: number | undefined;
  let result: HypervisorEvictionResult | undefined;
  while (!result) {
    await new Promise((r) => setTimeout(r, 200));
    const status = await eviction.query(hypervisorEvictionStatusQuery).catch(() => undefined);
    if (status?.fenced && fencedMs === undefined) fencedMs = performance.now() - cut;
    if (status?.step === 'done' || status?.step === 'aborted') result = await eviction.result();
  }
  const allActiveMs = performance.now() - cut;
  console.log(
    [
      `poll interval ${INTERVAL} s, grace ${GRACE} polls, Nova service_down_time 10 s`,
      `BMC power cut → fenced:                          ${seconds(fencedMs ?? NaN)} s`,
      `BMC power cut → all instances active elsewhere:  ${seconds(allActiveMs)} s (${result.outcome})`,
      ...result.instances.map(
        (i) => `  ${i.name}: ${i.from} → ${i.to} in ${i.seconds?.toFixed(1)} s`,
      ),
    ].join('\n'),
  );
  await client.workflow.getHandle(workflowIds.evictWatch('lab')).terminate('benchmark done');
  if (BULK > 0) {
    const os = lab.openstack!;
    for (const [host, concurrency] of [
      ['hv-2', 4],
      ['hv-3', 16],
    ] as const) {
      const filled = performance.now();
      await fillHost(os, host, BULK);
      console.log(`${BULK} instances on ${host} after ${seconds(performance.now() - filled)} s`);
      console.log(await timeEviction(client, stateDir, os, host, concurrency));
    }
  }
  await client.connection.close();
});
