// One Debian ipmi_sim (OpenIPMI) per host: the BMC that Steward and ipmitool talk IPMI 2.0 to.
// Facts this follows: ../shared/notes/ipmi-sim.md.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bmcDir, initBmcState } from './bmc-state';
import { startDaemon } from './daemon';
import { fruImage } from './fru';
import { bmcCredentials, fruSerial } from './hosts';
import type { ScenarioHost } from './scenario';

export const bmcDaemonName = (host: string) => `bmc-${host}`;

const CHASSIS_CONTROL = join(__dirname, 'chassis-control.sh');
const hex = (bytes: number[]) => bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');

/** ipmi_sim's GUID must be set, or it does not advertise IPMI 2.0 and lanplus fails. */
const guid = (host: string) =>
  createHash('sha256').update(`steward-lab/guid/${host}`).digest('hex').slice(0, 32);

function lanConf(host: ScenarioHost, address: string, port: number, dir: string): string {
  const { username, password } = bmcCredentials(host.name);
  return [
    `name "${host.name}"`,
    'set_working_mc 0x20',
    '  startlan 1',
    `    addr ${address} ${port}`,
    '    priv_limit admin',
    `    guid ${guid(host.name)}`,
    '  endlan',
    `chassis_control "${CHASSIS_CONTROL} ${dir}"`,
    `user 2 true "${username}" "${password}" admin 10 md5`,
    '',
  ].join('\n');
}

/** The BMC itself: device ID, GUID, SEL, FRU 0 with the host's serial, one SDR (its own locator). */
function emulatorCommands(host: ScenarioHost): string {
  const fru = fruImage({
    manufacturer: 'Steward Lab',
    product: 'Lab Server',
    partNumber: 'LS-1',
    serial: fruSerial(host),
  });
  // Management Controller Device Locator (type 0x12) for the BMC at 0x20, named "BMC". Without
  // any SDR, ipmitool "rebuilds" an empty repository with noise.
  const locator = [0x00, 0x00, 0x51, 0x12, 0x0e, 0x20, 0x00, 0x00, 0x29, 0x00, 0x00, 0x00];
  const sdr = [...locator, 0x07, 0x01, 0x00, 0xc3, ...Buffer.from('BMC')];
  return [
    'mc_setbmc 0x20',
    'mc_add 0x20 0 no-device-sdrs 0x01 1 0x02 0x9f 0x1291 0x0001',
    `mc_set_guid 0x20 ${guid(host.name)}`,
    'sel_enable 0x20 1000 0x0a',
    `mc_add_fru_data 0x20 0 256 data ${hex(fru)}`,
    `main_sdr_add 0x20 ${hex(sdr)}`,
    'mc_enable 0x20',
    '',
  ].join('\n');
}

/** Writes the BMC's configuration and starts its ipmi_sim detached, with a fresh simulator state. */
export function startIpmiSim(
  stateDir: string,
  host: ScenarioHost,
  address: string,
  port: number,
): void {
  const dir = bmcDir(stateDir, host.name);
  initBmcState(stateDir, host.name);
  // ipmi_sim persists users and SEL there; a client's changes must not outlive the lab run.
  const simState = join(dir, 'sim');
  rmSync(simState, { recursive: true, force: true });
  mkdirSync(simState);
  writeFileSync(join(dir, 'lan.conf'), lanConf(host, address, port, dir), { mode: 0o600 });
  writeFileSync(join(dir, 'bmc.emu'), emulatorCommands(host));
  startDaemon(stateDir, {
    name: bmcDaemonName(host.name),
    command: 'ipmi_sim',
    args: ['-n', '-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', simState],
    cwd: dir,
  });
}
