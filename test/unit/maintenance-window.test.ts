import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeClosed,
  describeInstant,
  describeWindow,
  insideWindow,
  maintenanceWindowSchema,
  nextOpening,
  nextWindowStart,
  WEEKDAYS,
  windowFromText,
  type MaintenanceWindow,
} from '../../workflows/policy/maintenance-window';
import { parseUpgradeInput } from '../../workflows/policy/upgrade-plan';

const at = (iso: string) => Date.parse(iso);
const window = (spec: string, timeZone: string): MaintenanceWindow => {
  const [days, times] = spec.split(' ');
  const [start, end] = times.split('-');
  return { days: days.split(',') as MaintenanceWindow['days'], start, end, timeZone };
};
const EVERY_DAY = WEEKDAYS.join(',');

// [window, time zone, instant, inside, next window start (the instant itself when inside)]
const cases: [string, string, string, boolean, string][] = [
  // office hours in UTC; the end is not inside
  ['mon,tue,wed,thu,fri 09:00-17:00', 'UTC', '2026-12-06T12:00:00Z', false, '2026-12-07T09:00:00Z'],
  ['mon,tue,wed,thu,fri 09:00-17:00', 'UTC', '2026-12-07T09:00:00Z', true, '2026-12-07T09:00:00Z'],
  ['mon,tue,wed,thu,fri 09:00-17:00', 'UTC', '2026-12-07T16:59:59Z', true, '2026-12-07T16:59:59Z'],
  ['mon,tue,wed,thu,fri 09:00-17:00', 'UTC', '2026-12-07T17:00:00Z', false, '2026-12-08T09:00:00Z'],
  ['mon,tue,wed,thu,fri 09:00-17:00', 'UTC', '2026-12-11T17:30:00Z', false, '2026-12-14T09:00:00Z'],
  // crossing midnight belongs to the day it opens on (Berlin is UTC+1 in December)
  ['fri 22:00-04:00', 'Europe/Berlin', '2026-12-11T20:59:59Z', false, '2026-12-11T21:00:00Z'],
  ['fri 22:00-04:00', 'Europe/Berlin', '2026-12-11T21:00:00Z', true, '2026-12-11T21:00:00Z'],
  ['fri 22:00-04:00', 'Europe/Berlin', '2026-12-12T01:00:00Z', true, '2026-12-12T01:00:00Z'],
  ['fri 22:00-04:00', 'Europe/Berlin', '2026-12-12T03:00:00Z', false, '2026-12-18T21:00:00Z'],
  ['fri 22:00-04:00', 'Europe/Berlin', '2026-12-10T22:00:00Z', false, '2026-12-11T21:00:00Z'],
  ['sat 22:00-04:00', 'Europe/Berlin', '2026-12-06T01:00:00Z', true, '2026-12-06T01:00:00Z'],
  // Berlin springs forward on 2026-03-29 at 02:00 local (01:00Z): a start in the gap opens at the jump
  ['sun 02:30-03:30', 'Europe/Berlin', '2026-03-28T12:00:00Z', false, '2026-03-29T01:00:00Z'],
  ['sun 02:30-03:30', 'Europe/Berlin', '2026-03-29T01:15:00Z', true, '2026-03-29T01:15:00Z'],
  ['sun 02:30-03:30', 'Europe/Berlin', '2026-03-29T01:30:00Z', false, '2026-04-05T00:30:00Z'],
  // ... and falls back on 2026-10-25 at 03:00 CEST (01:00Z): 02:30 shows twice, the window opens once
  ['sun 02:30-02:45', 'Europe/Berlin', '2026-10-24T12:00:00Z', false, '2026-10-25T00:30:00Z'],
  ['sun 02:30-02:45', 'Europe/Berlin', '2026-10-25T00:40:00Z', true, '2026-10-25T00:40:00Z'],
  ['sun 02:30-02:45', 'Europe/Berlin', '2026-10-25T01:40:00Z', false, '2026-11-01T01:30:00Z'],
  // a jump forward that swallows the whole window: the next week's
  ['sun 02:00-03:00', 'Europe/Berlin', '2026-03-22T02:00:00Z', false, '2026-04-05T00:00:00Z'],
  // New York springs forward on 2026-03-08 at 02:00 EST (07:00Z): a 01:00-03:00 window ends early
  [
    `${EVERY_DAY} 01:00-03:00`,
    'America/New_York',
    '2026-03-08T06:30:00Z',
    true,
    '2026-03-08T06:30:00Z',
  ],
  [
    `${EVERY_DAY} 01:00-03:00`,
    'America/New_York',
    '2026-03-08T07:00:00Z',
    false,
    '2026-03-09T05:00:00Z',
  ],
  // ... and falls back on 2026-11-01 at 02:00 EDT (06:00Z): the window lasts three hours
  [
    `${EVERY_DAY} 01:00-03:00`,
    'America/New_York',
    '2026-11-01T05:00:00Z',
    true,
    '2026-11-01T05:00:00Z',
  ],
  [
    `${EVERY_DAY} 01:00-03:00`,
    'America/New_York',
    '2026-11-01T07:59:59Z',
    true,
    '2026-11-01T07:59:59Z',
  ],
  [
    `${EVERY_DAY} 01:00-03:00`,
    'America/New_York',
    '2026-11-01T08:00:00Z',
    false,
    '2026-11-02T06:00:00Z',
  ],
  // half-hour offsets, seconds in the clock
  ['sat 00:00-06:00', 'Asia/Kolkata', '2026-12-11T18:00:00Z', false, '2026-12-11T18:30:00Z'],
  ['sun 23:59:30-00:00:30', 'UTC', '2026-12-06T23:59:00Z', false, '2026-12-06T23:59:30Z'],
  ['sun 23:59:30-00:00:30', 'UTC', '2026-12-07T00:00:15Z', true, '2026-12-07T00:00:15Z'],
];

describe('maintenance window', () => {
  for (const [spec, zone, instant, inside, next] of cases) {
    it(`${spec} ${zone} at ${instant}: ${inside ? 'inside' : `next opens ${next}`}`, () => {
      const w = window(spec, zone);
      assert.equal(insideWindow(w, at(instant)), inside);
      assert.equal(
        new Date(nextWindowStart(w, at(instant))).toISOString(),
        new Date(next).toISOString(),
      );
    });
  }

  it('the next start is the first inside instant, every 10 minutes around the DST changes of 2026', () => {
    // Berlin, New York and Lord Howe (half an hour) change in March/April and October/November
    for (const w of [
      window('sun 02:00-03:00', 'Europe/Berlin'),
      window('sat,sun 23:30-01:30', 'America/New_York'),
      window('sun 01:45-02:15', 'Australia/Lord_Howe'),
    ]) {
      for (const [from, to] of [
        ['2026-02-28', '2026-04-20'],
        ['2026-09-26', '2026-11-16'],
      ]) {
        // walk backwards: the next start of t is t when inside, else at most that of t + 10 min
        let expected: number | undefined;
        for (let t = at(`${to}T00:00:00Z`); t >= at(`${from}T00:00:00Z`); t -= 600_000) {
          if (insideWindow(w, t)) expected = t;
          else if (expected !== undefined) {
            const next = nextWindowStart(w, t);
            assert.ok(
              next > t && next <= expected,
              `${new Date(t).toISOString()} in ${w.timeZone}`,
            );
            assert.ok(insideWindow(w, next) && !insideWindow(w, next - 1000));
          }
        }
      }
    }
  });

  it('reads a window as describeWindow writes it', () => {
    const text = 'sat,sun 22:00-04:00:30 Europe/Berlin';
    const read = windowFromText(text);
    assert.deepEqual(read, {
      days: ['sat', 'sun'],
      start: '22:00',
      end: '04:00:30',
      timeZone: 'Europe/Berlin',
    });
    assert.equal(describeWindow(read!), text);
    for (const bad of ['sat 22:00 Europe/Berlin', 'sat,sun 22:00-04:00', '']) {
      assert.equal(windowFromText(bad), undefined, bad);
    }
  });

  it('describes an instant in the zone and in UTC', () =>
    assert.equal(
      describeInstant(window('fri 22:00-04:00', 'Europe/Berlin'), at('2026-12-11T21:00:00Z')),
      'fri 2026-12-11 22:00:00 Europe/Berlin (21:00:00 UTC)',
    ));

  const bad: [unknown, RegExp][] = [
    [
      { days: [], start: '22:00', end: '04:00', timeZone: 'UTC' },
      /^window\.days: must name at least one day/,
    ],
    [
      { days: ['fr'], start: '22:00', end: '04:00', timeZone: 'UTC' },
      /^window\.days\[0\]: must be one of sun/,
    ],
    [
      { days: ['fri'], start: '24:00', end: '04:00', timeZone: 'UTC' },
      /^window\.start: must be a time of day/,
    ],
    [
      { days: ['fri'], start: '22:00', end: '4', timeZone: 'UTC' },
      /^window\.end: must be a time of day/,
    ],
    [
      { days: ['fri'], start: '22:00', end: '22:00:00', timeZone: 'UTC' },
      /^window\.end: must differ from start/,
    ],
    [
      { days: ['fri'], start: '22:00', end: '04:00', timeZone: 'Mars/Olympus' },
      /^window\.timeZone: must be an IANA time zone/,
    ],
    [{ days: ['fri'], start: '22:00', end: '04:00' }, /^window\.timeZone: is required/],
    [
      { days: ['fri'], start: '22:00', end: '04:00', timeZone: 'UTC', tz: 'UTC' },
      /^window\.tz: is not a known field/,
    ],
  ];
  for (const [value, reason] of bad) {
    it(`refuses ${JSON.stringify(value)} naming the field`, () =>
      assert.throws(
        () => parseUpgradeInput({ cluster: 'lab', target: '1.32', window: value }),
        (err: Error) => reason.test(err.message),
      ));
  }

  it('accepts a good window as given', () => {
    const good = {
      days: ['sat', 'sun'],
      start: '22:00',
      end: '04:00:30',
      timeZone: 'Europe/Berlin',
    };
    assert.deepEqual(maintenanceWindowSchema.parse(good), good);
    assert.deepEqual(
      parseUpgradeInput({ cluster: 'lab', target: '1.32', window: good }).window,
      good,
    );
  });

  it('accepts a list of windows as given', () => {
    const list = [
      { days: ['sat'], start: '22:00', end: '04:00', timeZone: 'Europe/Berlin' },
      { days: ['wed'], start: '02:00', end: '05:00', timeZone: 'UTC' },
    ];
    assert.deepEqual(
      parseUpgradeInput({ cluster: 'lab', target: '1.32', window: list }).window,
      list,
    );
  });
});

describe('several maintenance windows', () => {
  const list = (...specs: [string, string][]) => specs.map(([spec, zone]) => window(spec, zone));

  // [windows, instant, inside, next opening (the instant itself when inside), index of the window]
  const cases: [string, MaintenanceWindow[], string, boolean, string, number][] = [
    [
      'overlapping: inside the second after the first closed',
      list(['mon 09:00-12:00', 'UTC'], ['mon 11:00-14:00', 'UTC']),
      '2026-12-07T13:00:00Z',
      true,
      '2026-12-07T13:00:00Z',
      1,
    ],
    [
      'overlapping: both closed, the first opens first next week',
      list(['mon 09:00-12:00', 'UTC'], ['mon 11:00-14:00', 'UTC']),
      '2026-12-07T14:00:00Z',
      false,
      '2026-12-14T09:00:00Z',
      0,
    ],
    [
      'adjacent: the second is open where the first ends',
      list(['mon 09:00-10:00', 'UTC'], ['mon 10:00-11:00', 'UTC']),
      '2026-12-07T10:00:00Z',
      true,
      '2026-12-07T10:00:00Z',
      1,
    ],
    [
      'one crossing midnight: open on the next morning',
      list(['sun 10:00-12:00', 'UTC'], ['fri 22:00-04:00', 'Europe/Berlin']),
      '2026-12-12T02:30:00Z',
      true,
      '2026-12-12T02:30:00Z',
      1,
    ],
    [
      'one crossing midnight: after it closes, the other opens next',
      list(['sun 10:00-12:00', 'UTC'], ['fri 22:00-04:00', 'Europe/Berlin']),
      '2026-12-12T03:00:00Z',
      false,
      '2026-12-13T10:00:00Z',
      0,
    ],
    [
      'the next opening is from the second window',
      list(['sat,sun 22:00-04:00', 'Europe/Berlin'], ['wed 02:00-05:00', 'UTC']),
      '2026-12-07T12:00:00Z',
      false,
      '2026-12-09T02:00:00Z',
      1,
    ],
    [
      'the next opening is from the first window, in its own zone',
      list(['sat,sun 22:00-04:00', 'Europe/Berlin'], ['wed 02:00-05:00', 'UTC']),
      '2026-12-09T06:00:00Z',
      false,
      '2026-12-12T21:00:00Z',
      0,
    ],
    [
      'two opening at the same instant: the first listed',
      list(['tue 10:00-11:00', 'UTC'], ['tue 11:00-13:00', 'Europe/Berlin']),
      '2026-12-08T09:00:00Z',
      false,
      '2026-12-08T10:00:00Z',
      0,
    ],
    [
      'a list of one is the window itself',
      list(['fri 22:00-04:00', 'Europe/Berlin']),
      '2026-12-12T03:00:00Z',
      false,
      '2026-12-18T21:00:00Z',
      0,
    ],
  ];
  for (const [what, windows, instant, inside, next, index] of cases) {
    it(`${what}: ${describeWindow(windows)} at ${instant}`, () => {
      assert.equal(insideWindow(windows, at(instant)), inside);
      assert.equal(
        windows.some((w) => insideWindow(w, at(instant))),
        inside,
        'any one open',
      );
      const opening = nextOpening(windows, at(instant));
      assert.equal(new Date(opening.at).toISOString(), new Date(next).toISOString());
      assert.equal(opening.window, windows[index]);
      assert.equal(nextWindowStart(windows, at(instant)), opening.at);
    });
  }

  it('says which window opens next and when, in its zone', () => {
    const windows = list(['sat,sun 22:00-04:00', 'Europe/Berlin'], ['wed 02:00-05:00', 'UTC']);
    assert.equal(
      describeClosed(windows, at('2026-12-07T12:00:00Z')),
      'sat,sun 22:00-04:00 Europe/Berlin; wed 02:00-05:00 UTC are closed; the next to open is ' +
        'wed 02:00-05:00 UTC, at wed 2026-12-09 02:00:00 UTC (02:00:00 UTC)',
    );
    assert.equal(
      describeClosed(windows[0], at('2026-12-07T12:00:00Z')),
      'sat,sun 22:00-04:00 Europe/Berlin is closed; next opens at ' +
        'sat 2026-12-12 22:00:00 Europe/Berlin (21:00:00 UTC)',
    );
  });

  it('reads several windows as describeWindow writes them', () => {
    const text = 'sat,sun 22:00-04:00 Europe/Berlin; wed 02:00-05:00 UTC';
    const read = windowFromText(text);
    assert.deepEqual(
      read,
      list(['sat,sun 22:00-04:00', 'Europe/Berlin'], ['wed 02:00-05:00', 'UTC']),
    );
    assert.equal(describeWindow(read!), text);
    assert.equal(windowFromText('sat 22:00-04:00 UTC; wed 02:00'), undefined);
  });

  const good = { days: ['fri'], start: '22:00', end: '04:00', timeZone: 'UTC' };
  const bad: [unknown, RegExp][] = [
    [[good, { ...good, start: '25:00' }], /^window\[1\]\.start: must be a time of day/],
    [[{ ...good, days: ['fri', 'sa'] }], /^window\[0\]\.days\[1\]: must be one of sun/],
    [[good, { ...good, timeZone: undefined }], /^window\[1\]\.timeZone: is required/],
    [[good, { ...good, end: '22:00' }], /^window\[1\]\.end: must differ from start/],
    [[good, { ...good, zone: 'UTC' }], /^window\[1\]\.zone: is not a known field/],
    [[], /^window: must name at least one window when it is a list/],
    ['sat 22:00-04:00 UTC', /^window: must be a window or a non-empty list of windows/],
  ];
  for (const [value, reason] of bad) {
    it(`refuses ${JSON.stringify(value)} naming the field with its index`, () =>
      assert.throws(
        () => parseUpgradeInput({ cluster: 'lab', target: '1.32', window: value }),
        (err: Error) => reason.test(err.message),
      ));
  }
});
