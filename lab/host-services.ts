// The lab's services for bare-metal hosts that Steward talks to: NetBox (the inventory) and
// OpenBao (the secrets), started only for scenarios with `hosts`.
import { dirname } from 'node:path';
import { NETBOX_DAEMONS, startNetbox, stopNetbox, type NetboxConnection } from './netbox';
import { assertPortsFree, type LabPorts } from './ports';
import type { ScenarioHost } from './scenario';
import { startVault, stopVault, VAULT_DAEMON, type VaultConnection } from './vault';

export const HOST_SERVICE_DAEMONS = [...NETBOX_DAEMONS, VAULT_DAEMON];

export interface HostServices {
  netbox: NetboxConnection;
  vault: VaultConnection;
}

/** Starts and seeds NetBox and OpenBao; a relative `baseScript` resolves from the scenario file. */
export async function startHostServices(
  stateDir: string,
  ports: LabPorts,
  hosts: ScenarioHost[],
  scenarioPath: string,
): Promise<HostServices> {
  const { netbox, netboxPostgres, netboxRedis, vault } = ports;
  await assertPortsFree({ netbox, netboxPostgres, netboxRedis, vault });
  try {
    const netboxConnection = await startNetbox(stateDir, ports, hosts, dirname(scenarioPath));
    const vaultConnection = await startVault(stateDir, vault, {
      hosts,
      netboxTokenFile: netboxConnection.tokenFile,
    });
    return { netbox: netboxConnection, vault: vaultConnection };
  } catch (err) {
    await stopHostServices(stateDir);
    throw err;
  }
}

export async function stopHostServices(stateDir: string): Promise<void> {
  await stopVault(stateDir);
  await stopNetbox(stateDir);
}
