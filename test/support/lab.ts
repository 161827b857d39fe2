// A lab of the test's own: a fresh state dir on free ports, stopped and removed afterwards.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, startLab, stopLab, type Connection } from '../../lab';

export const FIXTURES = join(__dirname, '../fixtures');

export interface TestLab extends Connection {
  stateDir: string;
  kubectl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestLab(scenario: string): Promise<TestLab> {
  const stateDir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const stop = async () => {
    await stopLab(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  let connection: Connection;
  try {
    const ports = await freePorts();
    connection = await startLab({ stateDir, scenarioPath: join(FIXTURES, scenario), ports });
  } catch (err) {
    await stop();
    throw err;
  }
  const kubeconfig = connection.kubeconfigPath;
  return {
    ...connection,
    stateDir,
    kubectl: async (...args) =>
      (await promisify(execFile)('kubectl', ['--kubeconfig', kubeconfig, ...args])).stdout,
    stop,
  };
}
