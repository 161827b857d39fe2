// Starts and stops the lab's Rook/Ceph: the real Ceph cluster, the storage host and its KWOK,
// the chart repository, the operator's Helm release, Rook's objects and the lab's Rook operator.
import {
  ApiException,
  ApiextensionsV1Api,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, stopDaemons, tsxDaemon } from '../daemon';
import { freeLoopbackPorts } from '../ports';
import { waitFor } from '../wait';
import { CHART_REPO_DAEMON, startChartRepo } from './chart-repo';
import { run, runOk } from './cli';
import { startCephCluster, stopCephCluster } from './cluster';
import { helmBinary } from './helm';
import { HOST_KWOK_DAEMON, startCephHost } from './host';
import { CEPH_DAEMONS, cephLayout } from './layout';
import { readCephCluster } from './operator-state';
import {
  CEPH_HOST_PLACEMENT,
  cephClusterObject,
  daemonDeployment,
  HELM_RELEASE,
  ROOK_NAMESPACE,
  toolboxDeployment,
} from './rook-objects';
import type { CephScenario } from './scenario';

export const OPERATOR_DAEMON = 'lab-rook-operator';

/** How Steward reaches the lab's Ceph and Rook (written into the lab's connection.json). */
export interface CephConnection {
  conf: string;
  keyring: string;
  /** The Helm chart repository serving rook-ceph at the scenario's chartVersions. */
  chartRepo: string;
}

export async function startCephLab(
  stateDir: string,
  kubeconfig: string,
  scenario: CephScenario,
): Promise<CephConnection> {
  try {
    return await start(stateDir, kubeconfig, scenario);
  } catch (err) {
    await stopCephLab(stateDir);
    throw err;
  }
}

async function start(
  stateDir: string,
  kubeconfig: string,
  scenario: CephScenario,
): Promise<CephConnection> {
  const layout = cephLayout(stateDir);
  const dir = join(stateDir, 'rook');
  mkdirSync(dir, { recursive: true });
  const helm = helmBinary();
  const [kubeletPort, chartPort] = await freeLoopbackPorts(2);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const createIfMissing = (o: KubernetesObject) =>
    objects.create(o).catch((err: unknown) => {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    });

  // Rook's side while Ceph starts; each step is kept when it already exists, so an upgrade made
  // since (a newer chart, a new image, daemons rolled) stays.
  let chartRepo = '';
  const rook = async () => {
    await createIfMissing({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ROOK_NAMESPACE },
    } as KubernetesObject);
    await startCephHost(stateDir, kubeconfig, { dir, layout, kubeletPort });
    chartRepo = await startChartRepo(stateDir, join(dir, 'charts'), {
      helm,
      port: chartPort,
      versions: scenario.chartVersions,
    });
    const helmArgs = ['--kubeconfig', kubeconfig, '--namespace', ROOK_NAMESPACE];
    const installed = await run(helm, ['status', HELM_RELEASE, ...helmArgs]);
    if (installed.code !== 0) {
      const values = join(dir, 'operator-values.yaml');
      writeFileSync(values, stringify(CEPH_HOST_PLACEMENT));
      await runOk(helm, [
        'install',
        HELM_RELEASE,
        'rook-ceph',
        '--repo',
        chartRepo,
        '--version',
        scenario.rook,
        '--values',
        values,
        '--wait',
        '--timeout',
        '3m',
        ...helmArgs,
      ]);
    }
    await waitForCrd(kc, 'cephclusters.ceph.rook.io');
    await createIfMissing(cephClusterObject(scenario.image));
    for (const d of CEPH_DAEMONS) {
      await createIfMissing(daemonDeployment(d, { rook: scenario.rook, image: scenario.image }));
    }
    await createIfMissing(toolboxDeployment(scenario.image));
  };
  // Both settle before a failure is thrown, so the clean-up stops everything either started.
  for (const r of await Promise.allSettled([startCephCluster(stateDir, layout), rook()])) {
    if (r.status === 'rejected') throw r.reason;
  }

  startDaemon(stateDir, {
    name: OPERATOR_DAEMON,
    ...tsxDaemon(join(__dirname, 'operator.ts'), [
      `--kubeconfig=${kubeconfig}`,
      `--state-dir=${stateDir}`,
    ]),
  });
  await waitFor(
    'CephCluster Ready and HEALTH_OK',
    async () => {
      const c = await readCephCluster(kc);
      const phase = c?.status?.phase;
      const health = c?.status?.ceph?.health;
      return (phase === 'Ready' && health === 'HEALTH_OK') || `phase ${phase}, health ${health}`;
    },
    { timeoutMs: 120_000, daemon: { stateDir, name: OPERATOR_DAEMON } },
  );
  return { conf: layout.conf, keyring: layout.adminKeyring, chartRepo };
}

async function waitForCrd(kc: KubeConfig, name: string): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await waitFor(`CRD ${name} Established`, async () => {
    const crd = await ext.readCustomResourceDefinition({ name });
    return (
      crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false
    );
  });
}

/** Stops the operator first (so it restarts nothing), then Ceph, then the host and the repo. */
export async function stopCephLab(stateDir: string): Promise<void> {
  await stopDaemons(stateDir, [OPERATOR_DAEMON]);
  await stopCephCluster(stateDir);
  await stopDaemons(stateDir, [HOST_KWOK_DAEMON, CHART_REPO_DAEMON]);
}
