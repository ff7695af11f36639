// Whether a parsed JSON value holds a number JSON.parse read as Infinity (`1e400`, a run of 309
// digits): the ledger's canonical JSON has no Infinity, and JSON.stringify spells it `null`, so
// such a value can be neither recorded nor forwarded as it was sent. Each module decides what that
// means for its input (refused as malformed, or kept as text). Iterative: a deep value cannot
// overflow the stack.
import type { JsonValue } from './events.js';

/**
 * Text that cannot hold a number out of a double's range: no exponent of three digits or more, no
 * run of 309 digits. Lets a caller skip the walk for almost every body.
 */
const MAY_OVERFLOW = /[eE][+]?\d{3}|\d{309}/;

export function mayHoldNonFinite(text: string): boolean {
  return MAY_OVERFLOW.test(text);
}

export function holdsNonFiniteNumber(value: JsonValue): boolean {
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof item === 'number' || (typeof item === 'object' && item !== null)) stack.push(item);
    }
  }
  return false;
}
