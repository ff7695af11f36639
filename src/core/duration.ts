// Durations in the configuration and on the command line: "250ms", "1s", "15m", "2h", "7d", or a number of ms.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(input);
  if (!match) return null;
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}
