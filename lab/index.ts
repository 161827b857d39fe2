import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyScenario } from './apply';
import { startBareMetal, stopBareMetal, type BareMetalConnection } from './bare-metal';
import { repoRoot } from './binaries';
import { startCephLab, stopCephLab } from './ceph';
import { startTigeraLab, stopTigeraLab, type TigeraConnection } from './tigera';
import { startHostServices, stopHostServices } from './host-services';
import { addToConnection, writeConnection, type Connection } from './kubeconfig';
import { startKubernetes, stopKubernetes } from './kubernetes';
import type { NetboxConnection } from './netbox';
import { DEFAULT_PORTS, LabPorts } from './ports';
import { loadScenario, scenarioNodes } from './scenario';
import { writeVaultSecrets, type VaultConnection } from './vault';
import { novaVaultSecrets, startNovaLab, stopNovaLab, type NovaConnection } from './nova';
import { DEFAULT_DDNS_PATTERN } from './hosts';

export { addDenseNodes } from './dense';
export type { DenseNodesOptions } from './dense';
export { applyScenario } from './apply';
export { pointDnsName } from './bare-metal';
export type { BareMetalConnection } from './bare-metal';
export { readBmcLog, readInstallLog, setBmcFault } from './bmc-state';
export type { BmcCommand, BmcFault, InstallRecord } from './bmc-state';
export { bmcAddress, bmcCredentials, DEFAULT_DDNS_PATTERN, fruSerial } from './hosts';
export type { Connection } from './kubeconfig';
export { kubernetesRunning } from './kubernetes';
export { setKubeletRunning, setUpgradeFault } from './kubelet';
export { FAULT_ANNOTATION, GPU_UNHEALTHY_LABEL, UPGRADE_FAULTS, UPGRADE_LABELS } from './physics';
export type { UpgradeFault } from './physics';
export { setNetboxDatabaseRunning } from './netbox';
export type { NetboxConnection } from './netbox';

export { vaultAdminTokenFile, WORKER_ROLE } from './vault';
export { setComputeRunning, setComputeServicesEnabled, setNovaApiRunning } from './nova/faults';
export type { NovaConnection, OpenStackLogin } from './nova';
export type { VaultConnection } from './vault';

export { DEFAULT_PORTS, freePorts } from './ports';
export { setCephDaemonFault, setPgStaysDegraded } from './ceph/faults';
export type { DaemonFault } from './ceph/faults';
export type { CephConnection } from './ceph';
export type { LabPorts } from './ports';
export { loadScenario, parseScenario } from './scenario';
export type { Scenario, ScenarioHost, ScenarioInput } from './scenario';

export const DEFAULT_STATE_DIR = join(repoRoot, '.steward');
export const DEFAULT_SCENARIO = join(repoRoot, 'lab/scenarios/default.yaml');

/** A scenario by its name in lab/scenarios (`datacenter`) or by its file's path. */
export function scenarioPath(nameOrFile: string): string {
  if (!/^[a-z0-9-]+$/.test(nameOrFile)) return resolve(nameOrFile);
  const dir = join(repoRoot, 'lab/scenarios');
  const file = join(dir, `${nameOrFile}.yaml`);
  if (existsSync(file)) return file;
  const names = readdirSync(dir).map((f) => f.replace(/\.yaml$/, ''));
  throw new Error(`scenario: no scenario named ${nameOrFile} (known: ${names.join(', ')})`);
}

export interface StartLabOptions {
  stateDir: string;
  scenarioPath?: string;
  /** Ports to use instead of the defaults (lab/ports.ts DEFAULT_PORTS). */
  ports?: Partial<LabPorts>;
  /**
   * Physics timings: kubelet restart in an upgrade (default 3000 ms), upgrade Job run time (500
   * ms), a host's boot from power-on to its kubelet registering (2000 ms).
   */
  physics?: { restartMs?: number; jobMs?: number; bootMs?: number };
  /** DDNS names of BMCs: `{serial}` is replaced by the host's serial (lowercased). */
  ddnsPattern?: string;
}

export interface LabConnection extends Connection {
  /** With `hosts` in the scenario: BMCs, DNS and the provisioning endpoint. */
  bareMetal?: BareMetalConnection;
  /** With `hosts` in the scenario: NetBox and Vault. */
  netbox?: NetboxConnection;
  vault?: VaultConnection;
  /** With `nova` in the scenario: Keystone and Nova (connection.json key `openstack`). */
  openstack?: NovaConnection;
  /** With `addons.tigeraOperator`: the Tigera operator's lab chart. */
  tigera?: TigeraConnection;
}

/**
 * Starts the lab's Kubernetes detached (it outlives the caller), applies the scenario and
 * waits until it is Ready; then Rook/Ceph (a `ceph:` section) and the bare metal of the
 * scenario's hosts. For a scenario with `hosts`, NetBox and OpenBao start beside Kubernetes, and
 * with `nova`, OpenStack too (Steward's Keystone password then goes into OpenBao).
 * Refuses when a lab already runs in `stateDir`.
 */
export async function startLab({
  stateDir,
  scenarioPath = DEFAULT_SCENARIO,
  ports,
  physics = {},
  ddnsPattern = DEFAULT_DDNS_PATTERN,
}: StartLabOptions): Promise<LabConnection> {
  const scenario = loadScenario(scenarioPath);
  const allPorts = { ...DEFAULT_PORTS, ...ports };
  // NetBox takes about as long to start as Kubernetes: side by side.
  const kubernetes = startKubernetes(stateDir, allPorts, { physics });
  const hostServices =
    scenario.hosts.length > 0
      ? startHostServices(stateDir, allPorts, scenario.hosts, scenarioPath)
      : undefined;
  const nova = scenario.nova ? startNovaLab(stateDir, allPorts, scenario.nova) : undefined;
  let connection: LabConnection;
  try {
    const [k8s, services, openstack] = await Promise.all([kubernetes, hostServices, nova]);
    connection = { ...k8s, ...services };
    if (services) addToConnection(k8s.connectionPath, services);
    if (openstack) {
      if (!services) throw new Error('a scenario with nova needs hosts (its hypervisors)');
      await writeVaultSecrets(stateDir, services.vault.address, novaVaultSecrets(stateDir));
      connection.openstack = openstack;
      addToConnection(k8s.connectionPath, { openstack });
    }
  } catch (err) {
    await Promise.allSettled([kubernetes, hostServices, nova]);
    await stopLab(stateDir);
    throw err;
  }
  await applyScenario(connection.kubeconfigPath, scenario);
  const lab: LabConnection = { ...connection };
  if (scenario.ceph) {
    lab.ceph = await startCephLab(stateDir, connection.kubeconfigPath, scenario.ceph);
    writeConnection(lab);
    // writeConnection starts the file anew: the host services' facts go back in.
    if (lab.netbox) addToConnection(lab.connectionPath, { netbox: lab.netbox, vault: lab.vault });
    if (lab.openstack) addToConnection(lab.connectionPath, { openstack: lab.openstack });
  }
  if (scenario.addons.tigeraOperator) {
    lab.tigera = startTigeraLab(stateDir, connection.kubeconfigPath);
    addToConnection(lab.connectionPath, { tigera: lab.tigera });
  }
  if (scenario.hosts.length === 0) return lab;
  const bareMetal = await startBareMetal(stateDir, scenario.hosts, {
    ports: allPorts,
    ddnsPattern,
    kubeconfigPath: connection.kubeconfigPath,
    connectionPath: connection.connectionPath,
    nodes: scenarioNodes(scenario).map((n) => n.name),
    hypervisors: scenario.nova?.hypervisors ?? [],
    bootMs: physics.bootMs,
  });
  return { ...lab, bareMetal };
}

/** Stops every lab process of `stateDir`; its data stays for the next start. */
export async function stopLab(stateDir: string): Promise<void> {
  await stopBareMetal(stateDir);
  await stopNovaLab(stateDir);
  await stopHostServices(stateDir);
  await stopCephLab(stateDir);
  await stopTigeraLab(stateDir);
  await stopKubernetes(stateDir);
}
