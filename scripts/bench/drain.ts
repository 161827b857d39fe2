// Benchmark: set-up time, time until Steward is up, and the drain of a node with 100 pods under
// PDBs (10 Deployments x 10 replicas, maxUnavailable 1) by Steward next to `kubectl drain` of an
// identical twin node on the same lab, with PodDisruptionBudgets watched throughout.
//   node --import tsx scripts/bench/drain.ts [--cold]
// --cold also times the set-up of a fresh clone with every cache empty (about 15 minutes).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { addDenseNodes, freePorts, startLab } from '../../lab';
import { stopDaemons } from '../../lab/daemon';
import { TASK_QUEUE, workflowIds, type DrainNodeResult } from '../../workflows/api';
import { freeStackPorts, REPO_ROOT, startTemporalAndWorker } from '../stack';
import { seconds, timed } from './measure';

/** Samples, every 100 ms, how far below its ready count each Deployment of the namespace fell. */
function watchBudgets(core: CoreV1Api, namespace: string, replicas: number) {
  let worstUnavailable = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const pods = (await core.listNamespacedPod({ namespace })).items;
      const ready = new Map<string, number>();
      for (const pod of pods) {
        const app = pod.metadata?.labels?.app ?? '';
        if (!ready.has(app)) ready.set(app, 0);
        if (isReady(pod)) ready.set(app, ready.get(app)! + 1);
      }
      for (const count of ready.values())
        worstUnavailable = Math.max(worstUnavailable, replicas - count);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return worstUnavailable;
  };
}

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp &&
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Set-up of a fresh clone with empty npm, pip, Go and Steward caches. */
function coldSetup(): Promise<{ ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-cold-'));
  const env = {
    ...process.env,
    STEWARD_CACHE: join(dir, 'steward-cache'),
    GOMODCACHE: join(dir, 'gomod'),
    GOCACHE: join(dir, 'gocache'),
    npm_config_cache: join(dir, 'npm'),
    PIP_NO_CACHE_DIR: '1',
  };
  return timed(async () => {
    execFileSync('git', ['clone', '-q', REPO_ROOT, join(dir, 'steward')]);
    execFileSync(join(dir, 'steward/scripts/setup/install.sh'), { stdio: 'ignore', env });
  }).finally(() => {
    execFileSync('chmod', ['-R', 'u+w', dir]); // the Go module cache is read-only
    rmSync(dir, { recursive: true, force: true });
  });
}

async function main(): Promise<void> {
  const cold = process.argv.includes('--cold') ? await coldSetup() : undefined;
  const warm = await timed(async () =>
    execFileSync(join(REPO_ROOT, 'scripts/setup/install.sh'), { stdio: 'ignore' }),
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  try {
    const labPorts = await freePorts();
    const ports = await freeStackPorts();
    const up = await timed(async () => {
      const lab = await startLab({
        stateDir,
        scenarioPath: join(__dirname, 'bench-lab.yaml'),
        ports: labPorts,
      });
      const { client } = await startTemporalAndWorker(stateDir, ports, lab);
      return { client, lab };
    });
    const { client, lab } = up.value;

    await addDenseNodes(lab.kubeconfigPath, { nodes: ['dense-kubectl', 'dense-steward'] });
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);

    let stopWatch = watchBudgets(core, 'dense', 10);
    const kubectl = await timed(() =>
      promisify(execFile)('kubectl', [
        '--kubeconfig',
        lab.kubeconfigPath,
        'drain',
        'dense-kubectl',
        '--ignore-daemonsets',
        '--delete-emptydir-data',
        '--timeout=900s',
      ]),
    );
    const kubectlWorst = await stopWatch();

    stopWatch = watchBudgets(core, 'dense', 10);
    const steward = await timed((): Promise<DrainNodeResult> =>
      client.workflow.execute('drainNode', {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIds.drain('lab', 'dense-steward'),
        args: [{ cluster: 'lab', node: 'dense-steward', timeoutSeconds: 900 }],
      }),
    );
    const stewardWorst = await stopWatch();
    await client.connection.close();

    console.log('steward benchmark');
    if (cold) console.log(`  set-up, cold (fresh clone, empty caches)      ${seconds(cold.ms)} s`);
    console.log(`  set-up, warm (scripts/setup/install.sh)        ${seconds(warm.ms)} s`);
    console.log(`  up: Temporal + lab + worker polling           ${seconds(up.ms)} s`);
    console.log(`  drain of 100 pods under PDBs (maxUnavailable 1 each of 10 Deployments)`);
    console.log(
      `    kubectl drain                               ${seconds(kubectl.ms)} s, worst unavailable per Deployment ${kubectlWorst}`,
    );
    console.log(
      `    steward drain                               ${seconds(steward.ms)} s, worst unavailable per Deployment ${stewardWorst}, ${steward.value.evicted.length} pods, ${steward.value.outcome}`,
    );
    console.log(
      `    ratio steward / kubectl                     ${(steward.ms / kubectl.ms).toFixed(2)}x (target <= 0.70)`,
    );
    if (stewardWorst > 1 || kubectlWorst > 1)
      console.log('  PDB VIOLATED: more than 1 pod of a Deployment unavailable');
  } finally {
    await stopDaemons(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
