// Parses "90", "90s", "15m", "2h" into whole seconds.
const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function parseSeconds(text: string): number {
  const match = /^(-?\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (e.g. 600, 90s, 15m, 2h)`);
  return Number(match[1]) * UNITS[match[2] ?? ''];
}
