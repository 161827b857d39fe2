import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSeconds } from '../../cli/duration';

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
    // kubectl's (Go's) compound durations, units in any order.
    ['1h30m', 5400],
    ['2h15m30s', 2 * 3600 + 15 * 60 + 30],
    ['1d12h', 36 * 3600],
    ['30m1h', 5400],
    ['-1h30m', -5400],
  ];
  for (const [text, seconds] of valid) {
    it(`parses ${JSON.stringify(text)} as ${seconds}`, () => {
      assert.equal(parseSeconds(text), seconds);
    });
  }

  const invalid = [
    ...['', ' ', 'm', '1.5h', '15M', '2w', '15 m', 'ten', '+5', '5ms', '0x10'],
    // What lenient parsers take (parse-duration reads "1h30" as 1h and 30 ms, and skips words).
    ...['1h30', '1h 30m', '1h garbage', 'h1', '1h-30m', '600s5'],
  ];
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
