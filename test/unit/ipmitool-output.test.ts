// ipmitool 1.8.19's output as captured against the lab's ipmi_sim.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBootDevice, parseFru, parsePowerStatus } from '../../activities/bmc/ipmitool-output';

const bootparam = (selector: string) => `Boot parameter version: 1
Boot parameter 5 is valid/unlocked
Boot parameter data: 0004000000
 Boot Flags :
   - Boot Flag Invalid
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
      assert.equal(parseBootDevice(bootparam(selector)), device));
  }
  it('no boot device selector', () => assert.equal(parseBootDevice('Error\n'), undefined));

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
