// Benchmark: a hypervisor's BMC power cut on the real Nova lab (four hypervisors, two instances
// each) and the time from the cut to "fenced" and to "all its instances active elsewhere", with
// the watch's poll interval and grace next to them. Nova itself needs its service_down_time (10 s
// in the lab) to see the host down; the watch then needs `grace` polls.
//   node --import tsx scripts/bench/eviction.ts [--interval 5] [--grace 2]
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bmcAddress, bmcCredentials, freePorts, startLab } from '../../lab';
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
  await client.connection.close();
});
