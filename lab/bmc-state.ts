// The folder of each simulated BMC in the state dir: the chassis state its chassis_control
// program keeps (lab/chassis-control.sh), the command log, the installer's log and the fault
// switches tests set. Read and written by the lab, the host physics and tests.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `hung`: the BMC stops answering (its chassis program sleeps) until the switch is cleared.
 * `refuse-boot`: setting the boot device fails ("Unspecified error"; ipmitool still exits 0).
 * `fail-power`: the next power, reset or shutdown command fails; the switch then clears itself.
 * `keeps-boot-device`: after a boot the BMC keeps showing the boot device it set (e.g. Force PXE)
 * although the flag no longer applies; the next boot is from disk unless the device is set again.
 * `installer-stuck`: not the BMC but its host: a PXE-booted installer that has fetched its base
 * script does not finish while set (the host stays in it, its node does not come back); cleared,
 * the install finishes and the new system boots.
 */
export type BmcFault =
  'hung' | 'refuse-boot' | 'fail-power' | 'keeps-boot-device' | 'installer-stuck';

export const bmcDir = (stateDir: string, host: string) => join(stateDir, 'lab', 'bmc', host);

/** One line of a BMC's command log: `set power 1 => on boot=pxe`. */
export interface BmcCommand {
  at: string;
  /** As ipmi_sim passed it: `set power 1`, `set boot pxe`, `set reset 1`, ... */
  command: string;
  /** `on boot=pxe|disk`, `reset boot=...`, `off`, `boot=<device>`, `unchanged`, `refused ...`, `failed ...`. */
  effect: string;
}

/** What the lab's installer did at one PXE boot of a host. */
export interface InstallRecord {
  at: string;
  host: string;
  /** The host's boot count at that boot. */
  boot: number;
  url: string;
  /** HTTP status of the base script's GET, or 0 when the endpoint did not answer. */
  status: number;
  /** The script the installer ran (status 200 only). */
  script?: string;
  sha256?: string;
  error?: string;
}

/** Creates the chassis state of a powered-on host with no boot override, unless it exists. */
export function initBmcState(stateDir: string, host: string): void {
  const dir = bmcDir(stateDir, host);
  mkdirSync(join(dir, 'faults'), { recursive: true });
  const initial = { power: '1', boot: 'none', boots: '0', 'last-boot': 'disk' };
  for (const [file, value] of Object.entries(initial)) {
    if (!existsSync(join(dir, file))) writeFileSync(join(dir, file), `${value}\n`);
  }
  for (const log of ['power.log', 'install.log']) writeFileSync(join(dir, log), '', { flag: 'a' });
}

const faultFile = (stateDir: string, host: string, fault: BmcFault) =>
  join(bmcDir(stateDir, host), 'faults', fault);

export function setBmcFault(stateDir: string, host: string, fault: BmcFault, on: boolean): void {
  if (on) writeFileSync(faultFile(stateDir, host, fault), '');
  else rmSync(faultFile(stateDir, host, fault), { force: true });
}

export const bmcFaultSet = (stateDir: string, host: string, fault: BmcFault): boolean =>
  existsSync(faultFile(stateDir, host, fault));

export function readBmcLog(stateDir: string, host: string): BmcCommand[] {
  return lines(join(bmcDir(stateDir, host), 'power.log')).map((line) => {
    const [head, effect = ''] = line.split(' => ');
    const space = head.indexOf(' ');
    return { at: head.slice(0, space), command: head.slice(space + 1).trim(), effect };
  });
}

export function readInstallLog(stateDir: string, host: string): InstallRecord[] {
  return lines(join(bmcDir(stateDir, host), 'install.log')).map(
    (line) => JSON.parse(line) as InstallRecord,
  );
}

/** The chassis as the BMC sees it: a state file read whole, or undefined mid-write. */
export function readChassis(
  stateDir: string,
  host: string,
): { power?: 0 | 1; boots?: number; lastBoot?: string } {
  const read = (file: string) => {
    try {
      return readFileSync(join(bmcDir(stateDir, host), file), 'utf8').trim();
    } catch {
      return '';
    }
  };
  const power = read('power');
  const boots = read('boots');
  return {
    power: power === '1' ? 1 : power === '0' ? 0 : undefined,
    boots: /^\d+$/.test(boots) ? Number(boots) : undefined,
    lastBoot: read('last-boot') || undefined,
  };
}

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
