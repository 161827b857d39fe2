// The embedded default: a Temporal dev server, the lab and a worker, each a detached process
// recorded under the state folder. Used by `steward up` and by the end-to-end tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import {
  freePorts,
  type BareMetalConnection,
  type LabConnection,
  type NovaConnection,
} from '../lab';
import type { OpenStackRegionConfig } from '../activities/openstack/client';
import type { ClusterConfig } from '../activities/kubernetes/clusters';
import { helmBinary } from '../lab/ceph/helm';
import { startDaemon } from '../lab/daemon';
import { searchAttributes, TASK_QUEUE } from '../workflows/api';

export const REPO_ROOT = resolve(__dirname, '..');
export const TEMPORAL_BIN = join(REPO_ROOT, '.tools/temporal/bin/temporal');

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  metrics: number;
}

export const DEFAULT_STACK_PORTS: StackPorts = { temporal: 7233, temporalUi: 8233, metrics: 9464 };

/** Ports that were free a moment ago, for a stack beside another (tests, benchmarks). */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = await freePorts();
  return { temporal: ports.apiserver, temporalUi: ports.etcdClient, metrics: ports.etcdPeer };
}

/** Starts the Temporal dev server and a worker for the lab, and waits until the worker polls. */
export async function startTemporalAndWorker(
  stateDir: string,
  ports: StackPorts,
  lab: LabConnection,
  /** The lab cluster guard's node budget, for runs that take more nodes down than its default. */
  guardBudget?: number,
): Promise<{ client: Client; configPath: string }> {
  const { client, configPath } = await startTemporalWithConfig(stateDir, ports, {
    clusters: {
      lab: {
        ...labClusterConfig(lab),
        ...(guardBudget !== undefined && { guard: { maxUnavailableNodes: guardBudget } }),
      },
    },
    helm: (lab.ceph || lab.tigera) && helmBinary(),
    netbox: lab.netbox,
    vault: lab.vault,
    bareMetal: lab.bareMetal,
    openstack: lab.openstack,
  });
  await waitForWorker(client, startWorker(stateDir, configPath));
  return { client, configPath };
}

/** Starts the Temporal dev server and writes a worker configuration that points at it. */
export async function startTemporalWithConfig(
  stateDir: string,
  ports: StackPorts,
  config: Omit<WorkerConfigFile, 'temporalAddress' | 'uiUrl' | 'metricsPort'>,
): Promise<{ client: Client; configPath: string }> {
  startTemporal(stateDir, ports);
  const client = await connectWhenUp(`127.0.0.1:${ports.temporal}`);
  const configPath = writeConfig(stateDir, {
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    uiUrl: `http://127.0.0.1:${ports.temporalUi}`,
    metricsPort: ports.metrics,
    ...config,
  });
  return { client, configPath };
}

export function startTemporal(stateDir: string, ports: StackPorts): void {
  mkdirSync(stateDir, { recursive: true });
  const attributeFlags = Object.values(searchAttributes).flatMap((key) => [
    '--search-attribute',
    `${key.name}=Keyword`,
  ]);
  startDaemon(stateDir, {
    name: 'temporal',
    command: TEMPORAL_BIN,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(ports.temporal),
      '--ui-port',
      String(ports.temporalUi),
      '--db-filename',
      join(stateDir, 'temporal.db'),
      '--ui-disable-news-fetch',
      '--log-level',
      'warn',
      ...attributeFlags,
    ],
  });
}

/** Connects to Temporal, retrying while it starts. */
export async function connectWhenUp(address: string, timeoutMs = 60_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
      await connection.workflowService.getSystemInfo({});
      return new Client({ connection });
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} did not come up: ${(err as Error).message}`);
      await sleep(250);
    }
  }
}

export interface WorkerConfigFile {
  temporalAddress: string;
  uiUrl: string;
  metricsPort: number;
  clusters: Record<string, ClusterConfig>;
  /** The helm binary that upgrades Rook's operator, when the lab runs Rook. */
  helm?: string;
  /** The lab's NetBox and Vault, when it runs them. */
  netbox?: { url: string; tokenFile: string };
  vault?: { address: string; roleIdFile: string; secretIdFile: string };
  /** The lab's BMCs, DNS and provisioning endpoint, when it runs them. */
  bareMetal?: BareMetalConnection;
  /** The lab's OpenStack, configured as region `lab` with Steward's user. */
  openstack?: NovaConnection;
}

/** Steward's configuration of the lab's OpenStack as region `lab`: its own user, password in Vault. */
export function labOpenStackConfig(openstack: NovaConnection): OpenStackRegionConfig {
  const { authUrl, region, steward } = openstack;
  return {
    authUrl,
    region,
    username: steward.username,
    passwordRef: steward.passwordRef,
    project: steward.project,
    userDomain: steward.userDomain,
    projectDomain: steward.projectDomain,
  };
}

/** Steward's configuration of the lab cluster: Kubernetes, and Ceph and Rook when it has them. */
export function labClusterConfig(lab: LabConnection): ClusterConfig {
  const { kubeconfigPath: kubeconfig, context, ceph } = lab;
  const tigera = lab.tigera && { tigera: { helm: { chart: lab.tigera.chart } } };
  if (!ceph) return { kubeconfig, context, ...tigera };
  return {
    kubeconfig,
    context,
    ...tigera,
    ceph: { cli: { conf: ceph.conf, keyring: ceph.keyring } },
    rook: { helm: { repo: ceph.chartRepo } },
  };
}

/** The lab worker's directory of custom base scripts (`steward reinstall --deploy custom:PATH`). */
export const labScriptsDir = (stateDir: string) => join(stateDir, 'base-scripts');

export function writeConfig(stateDir: string, c: WorkerConfigFile): string {
  mkdirSync(labScriptsDir(stateDir), { recursive: true });
  const path = join(stateDir, 'config.yaml');
  const config = {
    temporal: { address: c.temporalAddress, namespace: 'default', uiUrl: c.uiUrl },
    taskQueue: TASK_QUEUE,
    clusters: c.clusters,
    ...(c.helm && { helm: c.helm }),
    metrics: { port: c.metricsPort },
    ...(c.netbox && { netbox: c.netbox }),
    ...(c.vault && { vault: c.vault }),
    ...(c.openstack && { openstack: { lab: labOpenStackConfig(c.openstack) } }),
    ...(c.bareMetal && {
      // Loopback BMCs answer in milliseconds: one try of a second, so a hung one shows quickly.
      // ipmi_sim answers every boot flags read with the valid bit clear.
      bmc: {
        port: c.bareMetal.bmc.port,
        retries: 1,
        timeoutSeconds: 1,
        bootFlagValidBit: 'not-reported' as const,
      },
      dns: { servers: [c.bareMetal.dns.server], ddnsPattern: c.bareMetal.bmc.ddnsPattern },
      provisioning: { url: c.bareMetal.provisioning.url, scriptsDir: labScriptsDir(stateDir) },
    }),
  };
  writeFileSync(
    path,
    `# Written by steward up; the worker and the CLI read it.\n${stringify(config)}`,
  );
  return path;
}

/** Starts a worker detached, from source or from `npm run build`'s dist/; returns its pid. */
export function startWorker(
  stateDir: string,
  configPath: string,
  name = 'worker',
  from: 'source' | 'build' = 'source',
): number {
  return startDaemon(stateDir, {
    name,
    command: process.execPath,
    args:
      from === 'build'
        ? [join(REPO_ROOT, 'dist/workers/main.js')]
        : ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')],
    cwd: REPO_ROOT,
    env: { ...process.env, STEWARD_CONFIG: configPath },
  }).pid;
}

/**
 * Waits until the worker process `pid` polls the task queue for workflow tasks. Its pid, because
 * the server lists a stopped worker's pollers for minutes after it stopped; up to minutes, because
 * bundling the workflows takes that long on a loaded machine.
 */
export async function waitForWorker(
  client: Client,
  pid: number,
  timeoutMs = 300_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    // The SDK's default worker identity is `<pid>@<hostname>`.
    if ((pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`))) return;
    await sleep(500);
  }
  throw new Error(
    `worker ${pid} did not poll task queue ${TASK_QUEUE} within ${timeoutMs / 1000}s`,
  );
}
