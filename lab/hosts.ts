// Facts about a scenario host's BMC that every part of the lab derives the same way: its address,
// its credentials (the lab's Vault is seeded from the same function), its FRU serial, its DDNS name.
import { createHash } from 'node:crypto';
import type { ScenarioHost } from './scenario';

/** The default DDNS name pattern of BMCs that NetBox has no OOB IP for. */
export const DEFAULT_DDNS_PATTERN = 'bmc-{serial}.oob.lab.steward.dev';

/**
 * Where the BMC of `hosts[index]` listens: one loopback address per host, all on the lab's BMC
 * port (parallel labs differ by port).
 */
export function bmcAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 253)
    throw new Error(`host index ${index}: the lab has BMC addresses for hosts 0..253`);
  return `127.0.1.${index + 1}`;
}

/**
 * The IPMI login of a host's BMC (the lab's Vault holds the same). One account for every BMC of
 * the lab, as many sites configure it fleet-wide: so a DDNS name that points at another host's BMC
 * gets in, and it is the FRU serial check that must refuse it. Passwords are 16 bytes: ipmi_sim
 * refuses 20, the IPMI 2.0 maximum.
 */
export function bmcCredentials(_host: string): { username: string; password: string } {
  const password = createHash('sha256').update('steward-lab/bmc').digest('hex').slice(0, 16);
  return { username: 'steward', password };
}

/** The serial number the BMC's FRU reports: `bmcSerial` (a wrong BMC) or the host's own. */
export function fruSerial(host: Pick<ScenarioHost, 'serial' | 'bmcSerial'>): string {
  return host.bmcSerial ?? host.serial;
}

/** The DDNS name of a BMC: `{serial}` in `pattern` replaced by the serial, all lowercase. */
export function bmcDdnsName(pattern: string, serial: string): string {
  return pattern.replaceAll('{serial}', serial).toLowerCase();
}
