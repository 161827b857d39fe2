// BMC targets of the lab's hosts as a workflow would pass them (secret references into the lab's
// Vault, NetBox's serial).
import type { BmcTarget } from '../../activities/bmc/activities';
import { bmcAddress, loadScenario, type ScenarioHost } from '../../lab';
import { FIXTURES } from './lab';
import { join } from 'node:path';

export const credentialRefs = (host: string) => ({
  username: `vault:secret/data/bmc/${host}#username`,
  password: `vault:secret/data/bmc/${host}#password`,
});

export function scenarioHosts(scenario: string): ScenarioHost[] {
  return loadScenario(join(FIXTURES, scenario)).hosts;
}

/** The target of `host`'s BMC: its lab address unless given, NetBox's (the scenario's) serial. */
export function bmcTarget(scenario: string, host: string, address?: string): BmcTarget {
  const hosts = scenarioHosts(scenario);
  const index = hosts.findIndex((h) => h.name === host);
  if (index < 0) throw new Error(`no host ${host} in ${scenario}`);
  return {
    device: host,
    address: address ?? bmcAddress(index),
    serial: hosts[index].serial,
    credentials: credentialRefs(host),
  };
}
