// Parses kubectl-style durations into whole seconds: "90" (seconds), "90s", "15m", "2h", "1h30m",
// "1d12h" — Go's time.ParseDuration grammar (units in any order, a sign for the whole) with whole
// numbers of d, h, m and s. Anything else is refused: a typo never passes as a duration.
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

export function parseSeconds(text: string): number {
  const trimmed = text.trim();
  const match = /^(-?)(\d+|(?:\d+[dhms])+)$/.exec(trimmed);
  if (!match) throw new Error(`"${text}" is not a duration (e.g. 600, 90s, 15m, 2h, 1h30m)`);
  const [, sign, body] = match;
  const seconds = /^\d+$/.test(body)
    ? Number(body)
    : [...body.matchAll(/(\d+)([dhms])/g)].reduce(
        (sum, [, n, unit]) => sum + Number(n) * UNITS[unit],
        0,
      );
  return sign ? -seconds : seconds;
}
