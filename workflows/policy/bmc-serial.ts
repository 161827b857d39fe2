// Whether the BMC found for a NetBox device is that device's: its FRU serial equals the
// inventory's. Steward never powers or boots a machine before that matched. A placeholder that
// boards ship with ("To Be Filled By O.E.M.") identifies no machine, so it never matches.
import { ApplicationFailure } from '@temporalio/common';
import { BMC_FAILURES } from '../api';

/** What the BMC's FRU says; `fru print 0` shows these as Product Serial and Board Serial. */
export interface FruSerials {
  productSerial?: string;
  boardSerial?: string;
}

/** Trimmed of whitespace and NULs (FRU fields are padded), inner runs of blanks as one, upper case. */
const normalize = (s: string | undefined) =>
  (s ?? '')
    .replace(/^[\s\0]+|[\s\0]+$/g, '')
    .replace(/\s+/g, ' ')
    .toUpperCase();

/** What firmware and DMI tables say when nobody wrote a serial (as normalized). */
const PLACEHOLDERS = new Set([
  'TO BE FILLED BY O.E.M.',
  'TO BE FILLED BY OEM',
  'DEFAULT STRING',
  'NOT SPECIFIED',
  'NOT APPLICABLE',
  'SYSTEM SERIAL NUMBER',
  'CHASSIS SERIAL NUMBER',
  'SERIAL NUMBER',
  'NONE',
  'N/A',
  'NA',
  'UNKNOWN',
  '0123456789',
  '123456789',
  '1234567890',
]);

/**
 * A serial that names no machine: empty, blank, a vendor placeholder, or one character repeated
 * ("00000000", "FFFFFFFF", "........"). Case and padding do not matter.
 */
export function isPlaceholderSerial(serial: string | undefined): boolean {
  const s = normalize(serial);
  return s === '' || PLACEHOLDERS.has(s) || /^(.)\1*$/.test(s);
}

/**
 * The serial the BMC reports for its machine: the FRU's Product Serial (the system's serial, as
 * vendors print it on the chassis), or the Board Serial when the FRU has no product serial.
 */
export function fruSystemSerial(fru: FruSerials): string | undefined {
  const usable = (s: string | undefined) => (isPlaceholderSerial(s) ? undefined : s!.trim());
  return (
    usable(fru.productSerial) ??
    usable(fru.boardSerial) ??
    (fru.productSerial?.trim() || fru.boardSerial?.trim() || undefined)
  );
}

/**
 * Serials compare equal when they are equal after trimming whitespace and NULs and ignoring case
 * (NetBox keeps whatever case was typed). Inner characters count; a placeholder never matches.
 */
export function sameSerial(a: string | undefined, b: string | undefined): boolean {
  return !isPlaceholderSerial(a) && !isPlaceholderSerial(b) && normalize(a) === normalize(b);
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
  const refusing = 'refusing any power or boot action';
  if (isPlaceholderSerial(args.inventorySerial))
    return {
      match: false,
      reason: `NetBox device ${args.device} has the placeholder serial "${args.inventorySerial}", which names no machine: record its real serial in NetBox; ${refusing}`,
    };
  const says =
    reported === undefined
      ? 'reports no serial'
      : isPlaceholderSerial(reported)
        ? `reports the placeholder serial "${reported}", which names no machine,`
        : `reports serial "${reported}"`;
  return {
    match: false,
    reason:
      `BMC at ${args.bmc} ${says} but NetBox device ${args.device} has serial ` +
      `"${args.inventorySerial}": not this device's BMC, ${refusing}`,
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
