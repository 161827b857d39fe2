import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID_INPUT } from '../../workflows/api';
import {
  chooseBmcAddress,
  ddnsName,
  DEFAULT_DDNS_PATTERN,
} from '../../workflows/policy/bmc-address';
import { refusal } from '../support/refusal';

const invalidField = (run: () => unknown) => {
  const err = refusal(run);
  assert.equal(err.type, INVALID_INPUT);
  return (err.details?.[0] as { field: string }).field;
};

describe('chooseBmcAddress', () => {
  const cases: [string, { serial: string; oobIp?: string | null }, string | undefined, object][] = [
    [
      'NetBox OOB IP with prefix',
      { serial: 'X1', oobIp: '10.0.0.7/24' },
      undefined,
      { kind: 'oob-ip', address: '10.0.0.7' },
    ],
    [
      'OOB IP without prefix',
      { serial: 'X1', oobIp: '192.168.1.20' },
      undefined,
      { kind: 'oob-ip', address: '192.168.1.20' },
    ],
    [
      'IPv6 OOB IP',
      { serial: 'X1', oobIp: 'fd00::7/64' },
      undefined,
      { kind: 'oob-ip', address: 'fd00::7' },
    ],
    [
      'no OOB IP: DDNS name from the serial',
      { serial: 'SRV-1002' },
      undefined,
      { kind: 'ddns', name: 'bmc-srv-1002.oob.lab.steward.dev' },
    ],
    [
      'null OOB IP (NetBox JSON)',
      { serial: 'SRV-1002', oobIp: null },
      undefined,
      { kind: 'ddns', name: 'bmc-srv-1002.oob.lab.steward.dev' },
    ],
    [
      'blank OOB IP',
      { serial: 'abc', oobIp: '  ' },
      undefined,
      { kind: 'ddns', name: 'bmc-abc.oob.lab.steward.dev' },
    ],
    [
      'own pattern',
      { serial: 'J7X9Q' },
      '{serial}.ipmi.dc1.example.com',
      { kind: 'ddns', name: 'j7x9q.ipmi.dc1.example.com' },
    ],
  ];
  for (const [name, device, pattern, expected] of cases) {
    it(name, () =>
      assert.deepEqual(chooseBmcAddress({ name: 'node-7', ...device }, pattern), expected),
    );
  }

  it('uses the default pattern', () =>
    assert.equal(DEFAULT_DDNS_PATTERN, 'bmc-{serial}.oob.lab.steward.dev'));

  const bad: [string, { serial: string; oobIp?: string }, string, string][] = [
    [
      'an OOB IP that is no IP',
      { serial: 'X1', oobIp: 'bmc.example.com' },
      DEFAULT_DDNS_PATTERN,
      'oobIp',
    ],
    [
      'an out-of-range IPv4',
      { serial: 'X1', oobIp: '10.0.0.300/24' },
      DEFAULT_DDNS_PATTERN,
      'oobIp',
    ],
    ['a serial with a space', { serial: 'SRV 1002' }, DEFAULT_DDNS_PATTERN, 'serial'],
    ['a serial with a slash', { serial: 'SRV/1002' }, DEFAULT_DDNS_PATTERN, 'serial'],
    ['an empty serial', { serial: '' }, DEFAULT_DDNS_PATTERN, 'serial'],
    ['a pattern without {serial}', { serial: 'X1' }, 'bmc.oob.example.com', 'ddnsPattern'],
    ['a pattern making a bad name', { serial: 'X1' }, 'bmc_{serial}.example.com', 'ddnsPattern'],
    ['a serial ending a label in -', { serial: 'X1-' }, '{serial}.example.com', 'ddnsPattern'],
  ];
  for (const [name, device, pattern, field] of bad) {
    it(`refuses ${name}, naming ${field}`, () =>
      assert.equal(
        invalidField(() => chooseBmcAddress({ name: 'node-7', ...device }, pattern)),
        field,
      ));
  }

  it('trims the serial before building the name', () =>
    assert.equal(ddnsName(DEFAULT_DDNS_PATTERN, ' SRV-1 '), 'bmc-srv-1.oob.lab.steward.dev'));
});
