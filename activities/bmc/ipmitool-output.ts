// Reads what ipmitool 1.8 prints for the commands Steward uses.
import type { FruSerials } from '../../workflows/policy/bmc-address';

export type PowerState = 'on' | 'off';

/** `pxe`, `none` (no override), `disk`, `cdrom`, `bios`, ... or the selector text as printed. */
export type BootDevice = string;

/** `Chassis Power is on` → on. */
export function parsePowerStatus(stdout: string): PowerState | undefined {
  return /Chassis Power is (on|off)/.exec(stdout)?.[1] as PowerState | undefined;
}

const BOOT_SELECTORS: Record<string, BootDevice> = {
  'No override': 'none',
  'Force PXE': 'pxe',
  'Force Boot from default Hard-Drive': 'disk',
  'Force Boot from default Hard-Drive, request Safe-Mode': 'safe',
  'Force Boot from Diagnostic Partition': 'diag',
  'Force Boot from CD/DVD': 'cdrom',
  'Force Boot into BIOS Setup': 'bios',
  'Force Boot from Floppy/primary removable media': 'floppy',
};

/**
 * The `Boot Device Selector` line of `chassis bootparam get 5`. The `Boot Flag Valid/Invalid`
 * line is not read: ipmi_sim always says Invalid, and Steward keeps real BMCs from clearing the
 * flag on their 60 s timeout before it sets the device.
 */
export function parseBootDevice(stdout: string): BootDevice | undefined {
  const selector = /Boot Device Selector\s*:\s*(.+?)\s*$/m.exec(stdout)?.[1];
  return selector === undefined ? undefined : (BOOT_SELECTORS[selector] ?? selector);
}

/** `Product Serial : X` and `Board Serial : X` of `fru print 0`. */
export function parseFru(stdout: string): FruSerials {
  const field = (name: string) =>
    new RegExp(`^\\s*${name}\\s*:\\s*(.*?)\\s*$`, 'm').exec(stdout)?.[1];
  return { productSerial: field('Product Serial'), boardSerial: field('Board Serial') };
}
