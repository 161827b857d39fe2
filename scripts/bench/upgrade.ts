// Benchmark: a one-minor kubernetesUpgrade (1.31 → 1.32) of a lab cluster whose upgrade physics
// takes fixed times per node. Prints the wall time next to the critical path the batches imply
// (control-plane nodes one after another, then each worker batch, each step one node time),
// where the rest of the time goes, the largest workflow history of the run and the worker's
// peak RSS (upgrade-report.ts), and the machine's load average before and after the upgrade.
//   node --import tsx scripts/bench/upgrade.ts [--nodes 50] [--max-unavailable 10%]
//     [--job-seconds 20] [--restart-seconds 5] [--pause-seconds 5] [--target 1.32]
// The cluster is scripts/bench/upgrade-lab.yaml: 3 control-plane nodes, the rest workers.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePorts, startLab, type ScenarioInput } from '../../lab';
import { logFile, readDaemon } from '../../lab/daemon';
import { TASK_QUEUE, workflowIds, type KubernetesUpgradeResult } from '../../workflows/api';
import { freeStackPorts, startTemporalAndWorker } from '../stack';
import { historySizes } from './history-sizes';
import { runBenchmark, timed } from './measure';
import { printUpgradeReport } from './upgrade-report';
import { parsePhysicsLog, upgradeTimeline } from './upgrade-timeline';

function options() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '50' },
      'max-unavailable': { type: 'string', default: '10%' },
      'job-seconds': { type: 'string', default: '20' },
      'restart-seconds': { type: 'string', default: '5' },
      'pause-seconds': { type: 'string', default: '5' },
      target: { type: 'string', default: '1.32' },
    },
  });
  const whole = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  return {
    nodes: whole('nodes', 4),
    maxUnavailable: values['max-unavailable']!,
    jobMs: whole('job-seconds', 0) * 1000,
    restartMs: whole('restart-seconds', 0) * 1000,
    pauseSeconds: whole('pause-seconds', 1),
    target: values.target!,
  };
}

/** upgrade-lab.yaml with as many workers as make `nodes` in all; returns its path and the split. */
function writeScenario(stateDir: string, nodes: number) {
  const scenario = parse(
    readFileSync(join(__dirname, 'upgrade-lab.yaml'), 'utf8'),
  ) as ScenarioInput;
  const controlPlane = scenario.nodes.find((n) => n.role === 'control-plane')?.count ?? 1;
  const workers = nodes - controlPlane;
  scenario.nodes.find((n) => n.name === 'worker')!.count = workers;
  const path = join(stateDir, 'upgrade-lab.yaml');
  writeFileSync(path, stringify(scenario));
  return { path, controlPlane, workers, version: scenario.kubernetesVersion };
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB. */
function residentMemory(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

runBenchmark('steward-bench-upgrade-', async (stateDir) => {
  const o = options();
  const scenario = writeScenario(stateDir, o.nodes);
  const lab = await timed(async () =>
    startLab({
      stateDir,
      scenarioPath: scenario.path,
      ports: await freePorts(),
      physics: { jobMs: o.jobMs, restartMs: o.restartMs },
    }),
  );
  const stack = await timed(async () =>
    // The bench bounds the rollout by --max-unavailable alone, not by the guard's default budget.
    startTemporalAndWorker(stateDir, await freeStackPorts(), lab.value, o.nodes),
  );
  const { client } = stack.value;
  const parentId = workflowIds.upgrade('lab');
  const loadBefore = loadavg();
  const run = await timed((): Promise<KubernetesUpgradeResult> =>
    client.workflow.execute('kubernetesUpgrade', {
      taskQueue: TASK_QUEUE,
      workflowId: parentId,
      args: [
        {
          cluster: 'lab',
          target: o.target,
          maxUnavailable: o.maxUnavailable,
          pauseSeconds: o.pauseSeconds,
        },
      ],
    }),
  );
  const loadAfter = loadavg();
  const worker = residentMemory(readDaemon(stateDir, 'worker')!.pid);
  const labTimes = parsePhysicsLog(readFileSync(logFile(stateDir, 'lab-physics'), 'utf8'));
  const timeline = await upgradeTimeline(client, parentId, labTimes);
  const histories = await historySizes(client);
  await client.connection.close();
  printUpgradeReport({
    ...o,
    ...scenario,
    labUpMs: lab.ms,
    stackUpMs: stack.ms,
    wallMs: run.ms,
    message: run.value.message,
    timeline,
    histories,
    worker,
    load: { before: loadBefore, after: loadAfter },
  });
});
