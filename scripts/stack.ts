// The embedded default: a Temporal dev server, the lab and a worker, each a detached process
// recorded under the state folder. Used by `steward up` and by the end-to-end tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { freePorts, type BareMetalConnection, type LabConnection } from '../lab';
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
): Promise<{ client: Client; configPath: string }> {
  startTemporal(stateDir, ports);
  const client = await connectWhenUp(`127.0.0.1:${ports.temporal}`);
  const configPath = writeConfig(stateDir, {
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    uiUrl: `http://127.0.0.1:${ports.temporalUi}`,
    metricsPort: ports.metrics,
    clusters: { lab: { kubeconfig: lab.kubeconfigPath, context: lab.context } },
    netbox: lab.netbox,
    vault: lab.vault,
    bareMetal: lab.bareMetal,
  });
  startWorker(stateDir, configPath);
  await waitForWorker(client);
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
  clusters: Record<string, { kubeconfig: string; context: string }>;
  /** The lab's NetBox and Vault, when it runs them. */
  netbox?: { url: string; tokenFile: string };
  vault?: { address: string; roleIdFile: string; secretIdFile: string };
  /** The lab's BMCs, DNS and provisioning endpoint, when it runs them. */
  bareMetal?: BareMetalConnection;
}

export function writeConfig(stateDir: string, c: WorkerConfigFile): string {
  const path = join(stateDir, 'config.yaml');
  const config = {
    temporal: { address: c.temporalAddress, namespace: 'default', uiUrl: c.uiUrl },
    taskQueue: TASK_QUEUE,
    clusters: c.clusters,
    metrics: { port: c.metricsPort },
    ...(c.netbox && { netbox: c.netbox }),
    ...(c.vault && { vault: c.vault }),
    ...(c.bareMetal && {
      // Loopback BMCs answer in milliseconds: one try of a second, so a hung one shows quickly.
      bmc: { port: c.bareMetal.bmc.port, retries: 1, timeoutSeconds: 1 },
      dns: { servers: [c.bareMetal.dns.server], ddnsPattern: c.bareMetal.bmc.ddnsPattern },
      provisioning: { url: c.bareMetal.provisioning.url },
    }),
  };
  writeFileSync(
    path,
    `# Written by steward up; the worker and the CLI read it.\n${stringify(config)}`,
  );
  return path;
}

export function startWorker(stateDir: string, configPath: string, name = 'worker'): void {
  startDaemon(stateDir, {
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')],
    cwd: REPO_ROOT,
    env: { ...process.env, STEWARD_CONFIG: configPath },
  });
}

/** Waits until a worker polls the task queue for workflow tasks (bundling takes minutes under load). */
export async function waitForWorker(client: Client, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    if ((pollers ?? []).length > 0) return;
    await sleep(500);
  }
  throw new Error(`no worker polled task queue ${TASK_QUEUE} within ${timeoutMs / 1000}s`);
}
