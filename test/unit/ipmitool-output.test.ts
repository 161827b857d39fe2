// ipmitool 1.8.19's output as captured against the lab's ipmi_sim.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseBootFlags,
  parseFru,
  parsePowerStatus,
  pxeReadBackProblem,
} from '../../activities/bmc/ipmitool-output';

const bootparam = (
  selector: string,
  flag = 'Boot Flag Invalid',
  data = '0004000000',
) => `Boot parameter version: 1
Boot parameter 5 is valid/unlocked
Boot parameter data: ${data}
 Boot Flags :
   - ${flag}
   - Options apply to only next boot
   - BIOS PC Compatible (legacy) boot 
   - Boot Device Selector : ${selector}
   - BIOS verbosity : System Default
   - Console Redirection control : Console redirection occurs per BIOS configuration setting (default)
   - BIOS Mux Control Override : BIOS uses recommended setting of the mux at the end of POST
`;

describe('ipmitool output', () => {
  it('power status', () => {
    assert.equal(parsePowerStatus('Chassis Power is on\n'), 'on');
    assert.equal(parsePowerStatus('Chassis Power is off\n'), 'off');
    assert.equal(parsePowerStatus('Chassis Power Control: Up/On\n'), undefined);
  });

  const selectors: [string, string][] = [
    ['No override', 'none'],
    ['Force PXE', 'pxe'],
    ['Force Boot from default Hard-Drive', 'disk'],
    ['Force Boot from CD/DVD', 'cdrom'],
    ['Force Boot into BIOS Setup', 'bios'],
    ['Something a vendor added', 'Something a vendor added'],
  ];
  for (const [selector, device] of selectors) {
    it(`boot device selector "${selector}"`, () =>
      assert.equal(parseBootFlags(bootparam(selector))?.device, device));
  }
  it('no boot device selector', () => assert.equal(parseBootFlags('Error\n'), undefined));

  // A real BMC right after `chassis bootdev pxe`: data 80 04 ..., the valid bit set.
  const setNow = bootparam('Force PXE', 'Boot Flag Valid', '8004000000');
  // After the PXE boot it caused, many BMCs keep the selector with the valid bit cleared.
  const leftover = bootparam('Force PXE');
  it('the valid bit', () => {
    assert.deepEqual(parseBootFlags(setNow), { device: 'pxe', valid: true, persistent: false });
    assert.deepEqual(parseBootFlags(leftover), { device: 'pxe', valid: false, persistent: false });
  });

  it('PXE read back: the device, and the valid bit where the BMC reports it', () => {
    const read = (out: string) => parseBootFlags(out)!;
    assert.equal(pxeReadBackProblem(read(setNow), 'reported'), undefined);
    assert.match(pxeReadBackProblem(read(leftover), 'reported')!, /boot flag invalid/);
    // ipmi_sim: the bit always reads clear, so only the device tells.
    assert.equal(pxeReadBackProblem(read(leftover), 'not-reported'), undefined);
    for (const validBit of ['reported', 'not-reported'] as const)
      assert.equal(
        pxeReadBackProblem(read(bootparam('No override')), validBit),
        'reads back "none"',
      );
  });

  it('FRU serials', () => {
    const fru = ` Board Mfg Date        : Unspecified
 Board Mfg             : Steward Lab
 Board Product         : Lab Server
 Board Serial          : SRV-1001
 Board Part Number     : LS-1
 Product Manufacturer  : Steward Lab
 Product Name          : Lab Server
 Product Part Number   : LS-1
 Product Version       : 1.0
 Product Serial        : SRV-4001
`;
    assert.deepEqual(parseFru(fru), { productSerial: 'SRV-4001', boardSerial: 'SRV-1001' });
    assert.deepEqual(parseFru(' Device not present (Invalid data field in request)\n'), {
      productSerial: undefined,
      boardSerial: undefined,
    });
  });
});
