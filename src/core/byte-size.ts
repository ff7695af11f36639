// Sizes in the configuration: "512KiB", "1MiB", "2GB", "4096" (bytes), or a number of bytes.
// Binary (KiB, MiB, GiB) and decimal (KB, MB, GB) units both read as written: 1MB is 1,000,000.

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Bytes, or null when the input is not a size (negative, fractional bytes, unknown unit). */
export function parseByteSize(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*$/i.exec(input);
  if (!match) return null;
  const bytes = Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!;
  return Number.isSafeInteger(bytes) ? bytes : null;
}
