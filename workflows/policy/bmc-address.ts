// Which BMC to talk to for a NetBox device: its OOB IP, else the DDNS name built from its serial.
// Whether the BMC found there is that device's is ./bmc-serial.ts.
import { invalidInput } from '../api';

/** `{serial}` is replaced by the device's serial; the name is lowercased. */
export const DEFAULT_DDNS_PATTERN = 'bmc-{serial}.oob.lab.steward.dev';

export interface BmcDevice {
  /** NetBox device name. */
  name: string;
  serial: string;
  /** NetBox's OOB IP as NetBox writes it (`10.0.0.7/24`), or none. */
  oobIp?: string | null;
}

/** The BMC's IP from NetBox, or a DDNS name still to resolve through the configured DNS. */
export type BmcAddress = { kind: 'oob-ip'; address: string } | { kind: 'ddns'; name: string };

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERIAL_IN_NAME = /^[A-Za-z0-9-]+$/;

export function chooseBmcAddress(
  device: BmcDevice,
  ddnsPattern = DEFAULT_DDNS_PATTERN,
): BmcAddress {
  const oobIp = device.oobIp?.trim();
  if (oobIp) {
    const address = oobIp.replace(/\/\d{1,3}$/, '');
    if (!IPV4.test(address) && !IPV6.test(address))
      throw invalidInput(
        'oobIp',
        `"${device.oobIp}" of device ${device.name} is not an IP address`,
      );
    return { kind: 'oob-ip', address };
  }
  return { kind: 'ddns', name: ddnsName(ddnsPattern, device.serial) };
}

/** The BMC's DDNS name: the pattern with `{serial}` replaced, lowercased, a valid DNS name. */
export function ddnsName(pattern: string, serial: string): string {
  if (!pattern.includes('{serial}')) throw invalidInput('ddnsPattern', 'must contain {serial}');
  const trimmed = serial.trim();
  if (!SERIAL_IN_NAME.test(trimmed))
    throw invalidInput(
      'serial',
      `"${serial}" cannot be part of a DNS name (letters, digits and - only)`,
    );
  const name = pattern.replaceAll('{serial}', trimmed).toLowerCase();
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((label) => DNS_LABEL.test(label)))
    throw invalidInput('ddnsPattern', `"${pattern}" makes "${name}", which is not a DNS name`);
  return name;
}
