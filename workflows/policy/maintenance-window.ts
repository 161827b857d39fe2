// Maintenance windows, as kured and the system-upgrade-controller have them: days, a start and an
// end on the wall clock of an IANA time zone. A window whose end is before its start crosses
// midnight and belongs to the day it opens on (fri 22:00-04:00 closes on Saturday at 04:00).
// Each day's window is one span of time, from the first instant the wall clock reaches the start
// to the first instant it then reaches the end: a start or end that the clock jumps over (spring
// forward) is reached at the jump; one that it shows twice (fall back) at its first showing.
// An operation may be bound to several windows (a list): it runs while any of them is open.
// Intl.DateTimeFormat does the time-zone math; it works in the workflow sandbox and is
// deterministic for a given instant and time-zone database.
import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  days: Weekday[];
  /** "HH:MM" or "HH:MM:SS", 24-hour wall clock in `timeZone`. */
  start: string;
  end: string;
  /** An IANA time zone such as "Europe/Berlin" or "UTC". */
  timeZone: string;
}

/** One window, or a non-empty list of them: open while any is. */
export type MaintenanceWindows = MaintenanceWindow | MaintenanceWindow[];

const listOf = (windows: MaintenanceWindows) => (Array.isArray(windows) ? windows : [windows]);

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const clock = z.string().regex(CLOCK, 'must be a time of day such as "22:00" or "04:30:00"');

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  const known = formatters.get(timeZone);
  if (known) return known;
  const made = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  formatters.set(timeZone, made);
  return made;
}

function knownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export const maintenanceWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS, `must be one of ${WEEKDAYS.join(', ')}`))
      .min(1, 'must name at least one day, e.g. ["sat", "sun"]'),
    start: clock,
    end: clock,
    timeZone: z
      .string()
      .refine(knownTimeZone, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"'),
  })
  .refine((w) => secondsOfDay(w.start) !== secondsOfDay(w.end), {
    path: ['end'],
    message: 'must differ from start',
  });

const windowList = z
  .array(maintenanceWindowSchema)
  .min(1, 'must name at least one window when it is a list');

/**
 * One window or a list, told apart by the value itself (a union would hide the field at fault
 * behind "Invalid input" whenever a required field is missing).
 */
export const maintenanceWindowsSchema = z.unknown().transform((value, ctx): MaintenanceWindows => {
  if (typeof value !== 'object' || value === null) {
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: 'must be a window or a non-empty list of windows',
    });
    return z.NEVER;
  }
  const parsed = Array.isArray(value)
    ? windowList.safeParse(value)
    : maintenanceWindowSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  // As found, unrecognized keys included (their keys name the field).
  ctx.issues.push(
    ...parsed.error.issues.map((issue) => ({ ...issue, input: value }) as z.core.$ZodRawIssue),
  );
  return z.NEVER;
});

function secondsOfDay(text: string): number {
  const [, h, m, s] = CLOCK.exec(text) ?? [];
  return Number(h) * 3600 + Number(m) * 60 + Number(s ?? 0);
}

const DAY_MS = 86_400_000;

/** The wall clock of `instant` in `timeZone`, as milliseconds since the epoch as if it were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(Math.floor(instant / 1000) * 1000)
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

const weekdayOf = (day: number): Weekday => WEEKDAYS[new Date(day * DAY_MS).getUTCDay()];

/**
 * The first instant at which the wall clock reaches `wall` (ms as if UTC): its first showing, or
 * the jump forward over it. Assumes at most one offset change within a day, as every zone has.
 */
function firstReaching(wall: number, timeZone: string): number {
  const offsets = new Set([wall - DAY_MS, wall + DAY_MS].map((t) => wallClock(t, timeZone) - t));
  const shown = [...offsets]
    .map((offset) => wall - offset)
    .filter((t) => wallClock(t, timeZone) === wall);
  if (shown.length > 0) return Math.min(...shown);
  let [lo, hi] = [wall - DAY_MS, wall + DAY_MS];
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallClock(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The window of the local day `day` (days since the epoch) as instants, or none that day. */
function spanOn(
  window: MaintenanceWindow,
  day: number,
): { open: number; close: number } | undefined {
  if (!window.days.includes(weekdayOf(day))) return undefined;
  const start = secondsOfDay(window.start);
  const end = secondsOfDay(window.end);
  const open = firstReaching(day * DAY_MS + start * 1000, window.timeZone);
  const endDay = end > start ? day : day + 1;
  const close = firstReaching(endDay * DAY_MS + end * 1000, window.timeZone);
  return open < close ? { open, close } : undefined;
}

const localDay = (instant: number, timeZone: string) =>
  Math.floor(wallClock(instant, timeZone) / DAY_MS);

/** Whether `instant` (ms since the epoch) is inside the window. */
function insideOne(window: MaintenanceWindow, instant: number): boolean {
  const today = localDay(instant, window.timeZone);
  return [today - 1, today].some((day) => {
    const span = spanOn(window, day);
    return span !== undefined && span.open <= instant && instant < span.close;
  });
}

/** Whether `instant` (ms since the epoch) is inside any of the windows. */
export const insideWindow = (windows: MaintenanceWindows, instant: number): boolean =>
  listOf(windows).some((window) => insideOne(window, instant));

/** `instant` when it is inside the window, else the next instant at which the window opens. */
function nextStartOfOne(window: MaintenanceWindow, instant: number): number {
  if (insideOne(window, instant)) return instant;
  const today = localDay(instant, window.timeZone);
  // Two weeks: a jump forward may swallow a week's only window.
  for (let day = today; day <= today + 15; day++) {
    const span = spanOn(window, day);
    if (span && span.open > instant) return span.open;
  }
  throw new Error('a window with at least one day opens within two weeks');
}

/**
 * The window open at `instant` (`at` is `instant`), else the one that opens first after it (the
 * first listed when two open together) and when.
 */
export function nextOpening(
  windows: MaintenanceWindows,
  instant: number,
): { window: MaintenanceWindow; at: number } {
  return listOf(windows)
    .map((window) => ({ window, at: nextStartOfOne(window, instant) }))
    .reduce((first, other) => (other.at < first.at ? other : first));
}

/** `instant` when it is inside a window, else the next instant at which one opens. */
export const nextWindowStart = (windows: MaintenanceWindows, instant: number): number =>
  nextOpening(windows, instant).at;

/** e.g. "sat 2026-12-12 22:00:00 Europe/Berlin (21:00:00 UTC)". */
export function describeInstant(window: MaintenanceWindow, instant: number): string {
  const local = new Date(wallClock(instant, window.timeZone)).toISOString();
  const weekday = weekdayOf(localDay(instant, window.timeZone));
  const utc = new Date(instant).toISOString().slice(11, 19);
  return `${weekday} ${local.slice(0, 10)} ${local.slice(11, 19)} ${window.timeZone} (${utc} UTC)`;
}

const WINDOW_SEPARATOR = '; ';

/** e.g. "sat,sun 22:00-04:00 Europe/Berlin", several separated by "; ". */
export function describeWindow(windows: MaintenanceWindows): string {
  return listOf(windows)
    .map((w) => `${w.days.join(',')} ${w.start}-${w.end} ${w.timeZone}`)
    .join(WINDOW_SEPARATOR);
}

/**
 * Why nothing may start at `instant`, closed windows being given: which windows, and which opens
 * next and when, e.g. "sat 22:00-04:00 UTC is closed; next opens at sat 2026-12-12 …".
 */
export function describeClosed(windows: MaintenanceWindows, instant: number): string {
  const { window, at } = nextOpening(windows, instant);
  const opens = describeInstant(window, at);
  return Array.isArray(windows) && windows.length > 1
    ? `${describeWindow(windows)} are closed; the next to open is ${describeWindow(window)}, at ${opens}`
    : `${describeWindow(windows)} is closed; next opens at ${opens}`;
}

/**
 * Windows written as `describeWindow` writes them (the CLI's --window), unchecked: the input's
 * parser checks the fields. One window when the text has one, else the list; undefined when a
 * window does not have the three parts.
 */
export function windowFromText(text: string): MaintenanceWindows | undefined {
  const windows: MaintenanceWindow[] = [];
  for (const part of text.split(WINDOW_SEPARATOR.trim())) {
    const match = /^\s*(\S+)\s+([\d:]+)-([\d:]+)\s+(\S+)\s*$/.exec(part);
    if (!match) return undefined;
    const [, days, start, end, timeZone] = match;
    windows.push({ days: days.split(',') as Weekday[], start, end, timeZone });
  }
  return windows.length === 1 ? windows[0] : windows;
}
