import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BMC_FAILURES } from '../../workflows/api';
import {
  assertBmcSerial,
  checkBmcSerial,
  fruSystemSerial,
  isPlaceholderSerial,
  sameSerial,
} from '../../workflows/policy/bmc-serial';
import { refusal } from '../support/refusal';

describe('BMC serial check', () => {
  const same: [string, string, string][] = [
    ['identical', 'SRV-1001', 'SRV-1001'],
    ['case differs', 'srv-1001', 'SRV-1001'],
    ['FRU padded with spaces', 'SRV-1001   ', 'SRV-1001'],
    ['FRU padded with NULs', 'SRV-1001\0\0', 'SRV-1001'],
    ['NetBox with a trailing newline', 'SRV-1001', 'SRV-1001\n'],
  ];
  for (const [name, fru, netbox] of same)
    it(`matches: ${name}`, () => assert.ok(sameSerial(fru, netbox)));

  const different: [string, string | undefined, string][] = [
    ['another serial', 'SRV-4001', 'SRV-1004'],
    ['inner space', 'SRV 1001', 'SRV-1001'],
    ['a prefix of it', 'SRV-100', 'SRV-1001'],
    ['both empty', '', ''],
    ['no FRU serial', undefined, 'SRV-1001'],
  ];
  for (const [name, fru, netbox] of different)
    it(`differs: ${name}`, () => assert.equal(sameSerial(fru, netbox), false));

  it('reads the Product Serial, else the Board Serial', () => {
    assert.equal(fruSystemSerial({ productSerial: 'P1', boardSerial: 'B1' }), 'P1');
    assert.equal(fruSystemSerial({ productSerial: '  ', boardSerial: 'B1' }), 'B1');
    assert.equal(fruSystemSerial({}), undefined);
  });

  it('refuses a BMC with another serial, naming both values, never retried', () => {
    const args = {
      device: 'misfit',
      inventorySerial: 'SRV-1004',
      bmc: '127.0.1.5',
      fru: { productSerial: 'SRV-4001' },
    };
    const check = checkBmcSerial(args);
    assert.equal(check.match, false);
    const err = refusal(() => assertBmcSerial(args));
    assert.equal(err.type, BMC_FAILURES.identityMismatch);
    assert.match(err.message, /"SRV-4001"/);
    assert.match(err.message, /"SRV-1004"/);
    assert.match(err.message, /misfit/);
    assert.deepEqual(err.details?.[0], {
      device: 'misfit',
      bmc: '127.0.1.5',
      inventorySerial: 'SRV-1004',
      bmcSerial: 'SRV-4001',
    });
  });

  it('refuses a BMC that reports no serial', () => {
    const err = refusal(() =>
      assertBmcSerial({ device: 'd', inventorySerial: 'S1', bmc: 'b', fru: {} }),
    );
    assert.match(err.message, /reports no serial/);
  });

  it('passes the matching BMC', () =>
    assertBmcSerial({
      device: 'd',
      inventorySerial: 'srv-1003',
      bmc: 'b',
      fru: { productSerial: 'SRV-1003' },
    }));
});

describe('placeholder serials', () => {
  const placeholders = [
    'To Be Filled By O.E.M.',
    'to be filled by o.e.m.',
    'TO BE FILLED BY O.E.M.\0\0\0',
    ' To  Be Filled By O.E.M. ',
    'Default string',
    'DEFAULT STRING',
    '0123456789',
    'Not Specified',
    'System Serial Number',
    '',
    '   ',
    '\0\0\0\0',
    '00000000',
    'FFFFFFFF',
    undefined,
  ];
  for (const serial of placeholders) {
    it(`${JSON.stringify(serial)} is a placeholder and never matches, not even itself`, () => {
      assert.ok(isPlaceholderSerial(serial));
      assert.equal(sameSerial(serial, serial), false);
    });
  }
  for (const serial of ['SRV-1001', '0123456780', 'J1234567', 'CZ20230417']) {
    it(`${serial} is a serial`, () => assert.equal(isPlaceholderSerial(serial), false));
  }

  it('a placeholder in NetBox is refused naming NetBox, whatever the BMC says', () => {
    const err = refusal(() =>
      assertBmcSerial({
        device: 'w9',
        inventorySerial: '0123456789',
        bmc: '127.0.1.9',
        fru: { productSerial: '0123456789' },
      }),
    );
    assert.equal(err.type, BMC_FAILURES.identityMismatch);
    assert.match(err.message, /NetBox device w9 has the placeholder serial "0123456789"/);
  });

  it("a placeholder in the FRU is refused naming the BMC's placeholder", () => {
    const check = checkBmcSerial({
      device: 'w9',
      inventorySerial: 'SRV-9',
      bmc: '127.0.1.9',
      fru: { productSerial: 'To Be Filled By O.E.M.', boardSerial: 'Default string' },
    });
    assert.equal(check.match, false);
    assert.match(
      check.match ? '' : check.reason,
      /reports the placeholder serial "To Be Filled By O.E.M.", which names no machine, but NetBox device w9 has serial "SRV-9"/,
    );
  });

  it('a placeholder Product Serial gives way to a real Board Serial', () => {
    const fru = { productSerial: 'To Be Filled By O.E.M.', boardSerial: 'SRV-9' };
    assert.equal(fruSystemSerial(fru), 'SRV-9');
    assert.ok(checkBmcSerial({ device: 'w9', inventorySerial: 'srv-9', bmc: 'b', fru }).match);
  });
});
