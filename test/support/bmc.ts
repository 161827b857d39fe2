// BMC targets of the lab's hosts as a workflow would pass them (secret references, NetBox's
// serial), and a secret resolver standing in for Vault that knows the lab's BMC credentials.
import type { BmcTarget } from '../../activities/bmc/activities';
import type { SecretResolver } from '../../activities/common/secrets';
import { bmcAddress, bmcCredentials, loadScenario, type ScenarioHost } from '../../lab';
import { FIXTURES } from './lab';
import { join } from 'node:path';

const REF = /^vault:secret\/data\/bmc\/([a-z0-9-]+)#(username|password)$/;

export const credentialRefs = (host: string) => ({
  username: `vault:secret/data/bmc/${host}#username`,
  password: `vault:secret/data/bmc/${host}#password`,
});

/** Resolves `vault:secret/data/bmc/<host>#username|password` to the lab BMC's credentials. */
export const labSecrets: SecretResolver = async (ref) => {
  const match = REF.exec(ref);
  if (!match) throw new Error(`no secret ${ref}`);
  return bmcCredentials(match[1])[match[2] as 'username' | 'password'];
};

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
