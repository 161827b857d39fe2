// Each lab BMC's own record: the commands its chassis executed (ipmi_sim's chassis_control log,
// read by the lab's readBmcLog), with the serial that BMC's FRU reports, read from the emulator
// commands ipmi_sim serves it from rather than from the scenario.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBmcLog } from '../../../lab';
import { bmcDir } from '../../../lab/bmc-state';
import type { BmcEvent } from './records';

/** The product serial of a FRU v1.0 image (the 5th field of its product area). */
export function fruProductSerial(fru: number[]): string {
  let at = fru[4] * 8 + 3; // product area: version, length, language, then its fields
  for (let field = 0; field < 4; field++) at += 1 + (fru[at] & 0x3f);
  return Buffer.from(fru.slice(at + 1, at + 1 + (fru[at] & 0x3f))).toString('latin1');
}

/** The FRU serial in an ipmi_sim emulator command file (`mc_add_fru_data 0x20 0 256 data ...`). */
export function emulatorFruSerial(emu: string): string {
  const line = emu.split('\n').find((l) => l.startsWith('mc_add_fru_data '));
  if (!line) return '';
  return fruProductSerial(line.split(' data ')[1].trim().split(/\s+/).map(Number));
}

/** Every lab BMC's commands, all BMCs merged in time order. */
export function bmcEvents(stateDir: string): BmcEvent[] {
  const root = join(stateDir, 'lab/bmc');
  if (!existsSync(root)) return [];
  const events: BmcEvent[] = [];
  for (const bmc of readdirSync(root)) {
    const emu = join(bmcDir(stateDir, bmc), 'bmc.emu');
    const fruSerial = existsSync(emu) ? emulatorFruSerial(readFileSync(emu, 'utf8')) : '';
    events.push(...readBmcLog(stateDir, bmc).map((c) => ({ ...c, bmc, fruSerial })));
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
