// Reads what ipmitool 1.8 prints for the commands Steward uses.
import type { FruSerials } from '../../workflows/policy/bmc-serial';

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

/** The boot flags (`chassis bootparam get 5`): the device and whether the flags still apply. */
export interface BootFlags {
  device: BootDevice;
  /**
   * The valid bit: set by a Set Boot Options, cleared by the BMC at the next boot (or after 60 s
   * unless told otherwise). A device shown with the bit clear no longer applies: many BMCs keep
   * showing "Force PXE" after the PXE boot it caused.
   */
  valid: boolean;
  persistent: boolean;
}

/** The `Boot Flag Valid|Invalid`, `Options apply to ...` and `Boot Device Selector` lines. */
export function parseBootFlags(stdout: string): BootFlags | undefined {
  const selector = /Boot Device Selector\s*:\s*(.+?)\s*$/m.exec(stdout)?.[1];
  const valid = /^\s*-\s*Boot Flag (Valid|Invalid)\s*$/m.exec(stdout)?.[1];
  if (selector === undefined || valid === undefined) return undefined;
  return {
    device: BOOT_SELECTORS[selector] ?? selector,
    valid: valid === 'Valid',
    persistent: /Options apply to all future boots/.test(stdout),
  };
}

/**
 * Whether the BMC reports the boot flags' valid bit. Real BMCs do; ipmi_sim (the lab's) always
 * answers with the bit clear, whatever was set, so there only the device can be read back.
 */
export type BootFlagValidBit = 'reported' | 'not-reported';

/** Why the boot flags read back after setting PXE do not make the next boot a PXE boot. */
export function pxeReadBackProblem(
  flags: BootFlags,
  validBit: BootFlagValidBit,
): string | undefined {
  if (flags.device !== 'pxe') return `reads back "${flags.device}"`;
  if (validBit === 'reported' && !flags.valid)
    return 'reads back Force PXE with the boot flag invalid, so the next boot ignores it';
  return undefined;
}

/** How the flags read, for messages: `Force PXE (valid)`, `none`, `disk (invalid)`. */
export const describeBootFlags = (flags: BootFlags) =>
  flags.device === 'none'
    ? 'no override'
    : `${flags.device === 'pxe' ? 'Force PXE' : flags.device} (${flags.valid ? 'valid' : 'invalid'})`;

/** `Product Serial : X` and `Board Serial : X` of `fru print 0`. */
export function parseFru(stdout: string): FruSerials {
  const field = (name: string) =>
    new RegExp(`^\\s*${name}\\s*:\\s*(.*?)\\s*$`, 'm').exec(stdout)?.[1];
  return { productSerial: field('Product Serial'), boardSerial: field('Board Serial') };
}
