// Checks applied to a candidate after its pattern matched, to keep precision without a slower regex.
import type { ValidatorName } from './types.js';

/** Luhn mod-10 over the digits of the value (separators ignored). */
export function luhn(value: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = value.length - 1; i >= 0; i--) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    digits++;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits >= 12 && sum % 10 === 0;
}

/**
 * Digits grouped as cards print them: run together, in fours (4-4-4-4, 4-4-4-4-3), or as Amex and
 * Diners do (4-6-5, 4-6-4). A UUID whose first groups happen to be digits (8-4-4) is not a card,
 * though its 16 digits pass the Luhn check about one time in ten.
 */
export function cardGrouping(value: string): boolean {
  const groups = value.split(/[ -]/);
  if (groups.length === 1) return true;
  const middle = groups.slice(1, -1);
  const last = groups[groups.length - 1]!.length;
  return (
    groups[0]!.length === 4 &&
    last >= 1 &&
    last <= 5 &&
    (middle.every((g) => g.length === 4) || (middle.length === 1 && middle[0]!.length === 6))
  );
}

/** ISO 13616 mod-97 check of an IBAN (spaces ignored). */
export function iban(value: string): boolean {
  const compact = value.replace(/ /g, '').toUpperCase();
  if (compact.length < 15 || compact.length > 34) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const n = code >= 65 && code <= 90 ? code - 55 : code - 48;
    if (n < 0 || n > 35) return false;
    remainder = n > 9 ? (remainder * 100 + n) % 97 : (remainder * 10 + n) % 97;
  }
  return remainder === 1;
}

/** Per-character counts and first-seen order for the ASCII path, reused across calls (no allocation). */
const ASCII_COUNTS = new Uint32Array(128);
const ASCII_ORDER = new Uint8Array(128);

/**
 * Shannon entropy in bits per character. ASCII values (every token the scanner judges) are counted
 * in a typed array; the terms are summed in first-occurrence order, as the Map below iterates, so
 * both paths return the same bits to the last place and a threshold never flips between them.
 */
export function shannonEntropy(value: string): number {
  // A rule's entropy validator and its finding's detail ask for the same secret one after the other.
  if (value === lastEntropyOf) return lastEntropy;
  const bits = entropyOf(value);
  lastEntropyOf = value;
  lastEntropy = bits;
  return bits;
}

let lastEntropyOf = '';
let lastEntropy = 0;

function entropyOf(value: string): number {
  const n = value.length;
  let distinct = 0;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    if (ASCII_COUNTS[c]++ === 0) ASCII_ORDER[distinct++] = c;
  }
  if (ascii) {
    let bits = 0;
    for (let k = 0; k < distinct; k++) {
      const c = ASCII_ORDER[k]!;
      const p = ASCII_COUNTS[c]! / n;
      ASCII_COUNTS[c] = 0;
      bits -= p * Math.log2(p);
    }
    return bits;
  }
  for (let k = 0; k < distinct; k++) ASCII_COUNTS[ASCII_ORDER[k]!] = 0;
  return entropyOfCodePoints(value);
}

/** The general case: code points (a surrogate pair counts once), in a Map. */
function entropyOfCodePoints(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function classes(value: string): { digits: number; lower: number; upper: number } {
  let digits = 0;
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
  }
  return { digits, lower, upper };
}

/** A generated credential rather than a word: high entropy and a mix of character classes. */
export function highEntropy(value: string): boolean {
  if (value.length < 16) return false;
  const { digits, lower, upper } = classes(value);
  const mixed = (digits > 0 ? 1 : 0) + (lower > 0 ? 1 : 0) + (upper > 0 ? 1 : 0);
  return mixed >= 2 && (digits > 0 || upper > 1) && shannonEntropy(value) >= 3.5;
}

/** A random token after a known prefix: has digits and letters (kebab-case words have no digits). */
export function randomToken(value: string): boolean {
  const { digits, lower, upper } = classes(value);
  return digits > 0 && lower + upper > 0 && shannonEntropy(value) >= 3;
}

/** `Basic` credentials decode to `user:password`; anything else must look like a random token. */
export function authCredential(value: string, match: string): boolean {
  if (/basic\s/i.test(match)) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return false;
    return Buffer.from(value, 'base64').toString('latin1').includes(':');
  }
  return randomToken(value) || (value.includes('.') && value.length >= 20);
}

/** Telephone numbers have 8 to 15 digits (E.164). */
export function phoneDigits(value: string): boolean {
  const n = value.replace(/\D/g, '').length;
  return n >= 8 && n <= 15;
}

export const VALIDATORS: Readonly<Record<ValidatorName, (secret: string, match: string) => boolean>> = {
  luhn: (s) => luhn(s),
  card: (s) => cardGrouping(s) && luhn(s),
  iban: (s) => iban(s),
  entropy: (s) => highEntropy(s),
  'random-token': (s) => randomToken(s),
  'auth-credential': authCredential,
  phone: (s) => phoneDigits(s),
};
