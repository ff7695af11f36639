// Deterministic secret-shaped values for test vectors, the corpus and the benchmark. Nothing here is
// a real credential: values are drawn from a seeded generator, so they look random but are fake.

export const ALPHABETS = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  upperDigits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  hex: '0123456789abcdef',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  urlSafe: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  digits: '0123456789',
} as const;

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashSeed(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** `length` characters of `alphabet`, deterministic for a given seed (a number or a string). */
export function synth(length: number, alphabet: string, seed: number | string): string {
  const next = seededRandom(typeof seed === 'number' ? seed : hashSeed(seed));
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)];
  // Make sure mixed alphabets yield a mix (a digit and a letter), as generated keys do.
  if (/[0-9]/.test(alphabet) && /[a-z]/i.test(alphabet) && length >= 4 && !/[0-9]/.test(out)) {
    out = `${out.slice(0, -1)}7`;
  }
  return out;
}

/** A card number with a valid Luhn check digit after the given prefix. */
export function luhnNumber(prefix: string, length: number, seed: number | string): string {
  const body = prefix + synth(length - prefix.length - 1, ALPHABETS.digits, seed);
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    if (luhnSum(candidate) % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/** An IBAN with a valid mod-97 check for the country and the basic account number. */
export function ibanNumber(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return country + String(98 - rem).padStart(2, '0') + bban;
}
