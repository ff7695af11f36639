// PostgreSQL's bigint (int8) and COUNT(*) come back from pg as strings, since they may exceed what a
// JavaScript number holds exactly. Every position, count and version Vigil keeps fits in
// Number.MAX_SAFE_INTEGER; a value beyond it is refused rather than silently rounded.
import { VigilError } from '../../core/errors.js';

/** A non-negative integer column (bigint as text, or int4 as a number) as an exact number. */
export function safeInteger(value: unknown, column: string): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw new VigilError(
      'store_value_invalid',
      `the PostgreSQL store returned ${column} = ${String(value).slice(0, 40)}, not a safe integer`,
    );
  }
  return n;
}
