// What a caller sends the admin API (path, query, JSON body) holds no NUL character. PostgreSQL
// cannot store one in a text column nor take one as a parameter: such a request got as far as the
// store and failed there with a 500 that quoted the database's error, after the ledger had already
// recorded what it asked for (a break-glass access.granted with no grant behind it). No name, id,
// date or reason needs a NUL, so it is refused before any route runs, whatever the store.
import { VigilError } from '../core/errors.js';

const NUL = '\u0000';

/** Throws `usage` naming where a NUL was found: a parameter, a query value or the body. */
export function assertNulFree(where: string, value: unknown): void {
  if (hasNul(value))
    throw new VigilError('usage', `${where} holds a NUL character, which Vigil does not accept`);
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([key, v]) => key.includes(NUL) || hasNul(v));
  return false;
}
