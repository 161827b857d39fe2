// Which BMC to talk to for a NetBox device, and whether the BMC found there is that device's.
// Steward never powers or boots a machine before its BMC's FRU serial matched the inventory.
import { ApplicationFailure } from '@temporalio/common';
import { BMC_FAILURES, invalidInput } from '../api';

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

/** What the BMC's FRU says; `fru print 0` shows these as Product Serial and Board Serial. */
export interface FruSerials {
  productSerial?: string;
  boardSerial?: string;
}

/**
 * The serial the BMC reports for its machine: the FRU's Product Serial (the system's serial, as
 * vendors print it on the chassis), or the Board Serial when the FRU has no product serial.
 */
export function fruSystemSerial(fru: FruSerials): string | undefined {
  return fru.productSerial?.trim() || fru.boardSerial?.trim() || undefined;
}

/**
 * Serials compare equal when they are equal after trimming whitespace and NULs (FRU fields are
 * often padded) and ignoring case (NetBox keeps whatever case was typed). Inner characters count,
 * and an empty serial never matches.
 */
export function sameSerial(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string | undefined) => (s ?? '').replace(/^[\s\0]+|[\s\0]+$/g, '').toUpperCase();
  return norm(a) !== '' && norm(a) === norm(b);
}

export type SerialCheck = { match: true } | { match: false; reason: string };

export function checkBmcSerial(args: {
  device: string;
  inventorySerial: string;
  /** Where the BMC was reached, for the message: an IP, or `name (IP)`. */
  bmc: string;
  fru: FruSerials;
}): SerialCheck {
  const reported = fruSystemSerial(args.fru);
  if (sameSerial(reported, args.inventorySerial)) return { match: true };
  const says = reported === undefined ? 'reports no serial' : `reports serial "${reported}"`;
  return {
    match: false,
    reason:
      `BMC at ${args.bmc} ${says} but NetBox device ${args.device} has serial ` +
      `"${args.inventorySerial}": not this device's BMC, refusing any power or boot action`,
  };
}

/** Throws a non-retryable `BmcIdentityMismatch` failure unless the serials match. */
export function assertBmcSerial(args: Parameters<typeof checkBmcSerial>[0]): void {
  const check = checkBmcSerial(args);
  if (check.match) return;
  throw ApplicationFailure.create({
    type: BMC_FAILURES.identityMismatch,
    message: check.reason,
    nonRetryable: true,
    details: [
      {
        device: args.device,
        bmc: args.bmc,
        inventorySerial: args.inventorySerial,
        bmcSerial: fruSystemSerial(args.fru) ?? null,
      },
    ],
  });
}
