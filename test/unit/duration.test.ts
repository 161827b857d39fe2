import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSeconds } from '../../scripts/cli/duration';

describe('parseSeconds', () => {
  const valid: [string, number][] = [
    ['600', 600],
    ['0', 0],
    ['90s', 90],
    ['15m', 15 * 60],
    ['2h', 2 * 3600],
    ['7d', 7 * 86400],
    ['  45s  ', 45],
    ['007m', 7 * 60],
    // Negative numbers parse; the workflow's input validation refuses them with a named field.
    ['-5', -5],
    ['-2m', -120],
  ];
  for (const [text, seconds] of valid) {
    it(`parses ${JSON.stringify(text)} as ${seconds}`, () => {
      assert.equal(parseSeconds(text), seconds);
    });
  }

  const invalid = ['', ' ', 'm', '1.5h', '15M', '2w', '1h30m', '15 m', 'ten', '+5', '5ms', '0x10'];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseSeconds(text),
        (err: Error) => {
          assert.ok(err.message.includes(`"${text}" is not a duration`), err.message);
          return true;
        },
      );
    });
  }
});
