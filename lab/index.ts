import { join } from 'node:path';
import { applyScenario } from './apply';
import { repoRoot } from './binaries';
import type { Connection } from './kubeconfig';
import { startKubernetes, stopKubernetes } from './kubernetes';
import { DEFAULT_PORTS, LabPorts } from './ports';
import { loadScenario } from './scenario';

export { addDenseNodes } from './dense';
export type { DenseNodesOptions } from './dense';
export { applyScenario } from './apply';
export type { Connection } from './kubeconfig';
export { kubernetesRunning } from './kubernetes';
export { setKubeletRunning, setUpgradeFault } from './kubelet';
export { FAULT_ANNOTATION, GPU_UNHEALTHY_LABEL, UPGRADE_FAULTS, UPGRADE_LABELS } from './physics';
export type { UpgradeFault } from './physics';
export { DEFAULT_PORTS, freePorts } from './ports';
export type { LabPorts } from './ports';
export { loadScenario, parseScenario } from './scenario';
export type { Scenario, ScenarioInput } from './scenario';

export const DEFAULT_STATE_DIR = join(repoRoot, '.steward');
export const DEFAULT_SCENARIO = join(repoRoot, 'lab/scenarios/default.yaml');

export interface StartLabOptions {
  stateDir: string;
  scenarioPath?: string;
  /** Ports to use instead of the defaults (6443, 2379, 2380, 10257, 10259). */
  ports?: Partial<LabPorts>;
  /** Upgrade physics timings: kubelet restart (default 3000 ms), Job run time (500 ms). */
  physics?: { restartMs?: number; jobMs?: number };
}

/**
 * Starts the lab's Kubernetes detached (it outlives the caller), applies the scenario and
 * waits until it is Ready. Refuses when a lab already runs in `stateDir`.
 */
export async function startLab({
  stateDir,
  scenarioPath = DEFAULT_SCENARIO,
  ports,
  physics,
}: StartLabOptions): Promise<Connection> {
  const scenario = loadScenario(scenarioPath);
  const connection = await startKubernetes(stateDir, { ...DEFAULT_PORTS, ...ports }, { physics });
  await applyScenario(connection.kubeconfigPath, scenario);
  return connection;
}

/** Stops every lab process of `stateDir`; its data stays for the next start. */
export async function stopLab(stateDir: string): Promise<void> {
  await stopKubernetes(stateDir);
}
