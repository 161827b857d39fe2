// The whole of Steward for end-to-end tests: a Temporal dev server, a lab and a worker, as
// detached processes under a temp state dir on free ports, driven through bin/steward.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import assert from 'node:assert/strict';
import { isRunning, readDaemon, stopDaemons } from '../../lab/daemon';
import { waitFor } from '../../lab/wait';
import {
  freeStackPorts,
  REPO_ROOT,
  startTemporalAndWorker,
  startWorker,
  waitForWorker,
} from '../../scripts/stack';
import { startTestLab, type TestLab } from './lab';
import { stewardKubeconfig, type RbacFile } from './rbac';

export interface TestStack {
  lab: TestLab;
  client: Client;
  configPath: string;
  /** Runs bin/steward; resolves with its exit code and output, never rejects on a non-zero exit. */
  steward(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a worker (with the stack's configuration unless given another) and waits until it polls. */
  startWorker(configPath?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /** The lab cluster guard's node budget, where a test takes more than its default 2. */
  guardBudget?: number;
  /** Steward (worker and CLI) with only the token of deploy/rbac's ServiceAccount bound by these. */
  rbac?: RbacFile[];
}

export async function startTestStack(
  scenario: string,
  { guardBudget, rbac }: TestStackOptions = {},
): Promise<TestStack> {
  const lab = await startTestLab(scenario);
  const kubeconfigPath = rbac ? await stewardKubeconfig(lab, rbac) : lab.kubeconfigPath;
  const { client, configPath } = await startTemporalAndWorker(
    lab.stateDir,
    await freeStackPorts(),
    { ...lab, kubeconfigPath },
    guardBudget,
  );
  const stack: TestStack = {
    lab,
    client,
    configPath,
    steward: async (...args) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(join(REPO_ROOT, 'bin/steward'), args, {
          env: { ...process.env, STEWARD_CONFIG: configPath, STEWARD_STATE_DIR: lab.stateDir },
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
    startWorker: async (config = configPath) => {
      await waitForWorker(client, startWorker(lab.stateDir, config));
    },
    stop: async () => {
      await client.connection.close();
      await stopDaemons(lab.stateDir, ['worker', 'temporal']);
      await lab.stop();
    },
  };
  return stack;
}

/** Kills the stack's worker with SIGKILL, as a crash would, and starts a new one. */
export async function killWorkerAndStartAnother(stack: TestStack): Promise<void> {
  const worker = readDaemon(stack.lab.stateDir, 'worker');
  assert.ok(worker, 'the worker is recorded');
  process.kill(worker.pid, 'SIGKILL');
  await waitFor('the killed worker gone', async () => !isRunning(stack.lab.stateDir, 'worker'));
  await stack.startWorker();
}

/** What the Temporal UI shows as the workflow's current details. */
export async function currentDetails(stack: TestStack, workflowId: string): Promise<string> {
  const metadata = await stack.client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}
