import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { windowOption } from '../../cli/window-option';

const parse = (...args: string[]) =>
  new Command()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .option('--window <window>', 'windows', windowOption)
    .parse(args, { from: 'user' })
    .opts().window as unknown;

const mon = { days: ['mon'], start: '09:00', end: '10:00', timeZone: 'UTC' };
const tue = { ...mon, days: ['tue'] };
const wed = { ...mon, days: ['wed'], timeZone: 'Europe/Berlin' };

describe('--window', () => {
  const cases: [string[], unknown][] = [
    [['--window', 'mon 09:00-10:00 UTC'], mon],
    [
      ['--window', 'mon 09:00-10:00 UTC; tue 09:00-10:00 UTC'],
      [mon, tue],
    ],
    [
      ['--window', 'mon 09:00-10:00 UTC', '--window', 'tue 09:00-10:00 UTC'],
      [mon, tue],
    ],
    [
      [
        '--window',
        'mon 09:00-10:00 UTC; tue 09:00-10:00 UTC',
        '--window',
        'wed 09:00-10:00 Europe/Berlin',
      ],
      [mon, tue, wed],
    ],
  ];
  for (const [args, expected] of cases) {
    it(`${args.join(' ')}: one window, or the list in order`, () =>
      assert.deepEqual(parse(...args), expected));
  }

  it('refuses text that is not a window, saying how one reads', () =>
    assert.throws(
      () => parse('--window', 'mon 09:00-10:00 UTC; tue 09:00'),
      /must read like "sat,sun 22:00-04:00 Europe\/Berlin"/,
    ));
});
