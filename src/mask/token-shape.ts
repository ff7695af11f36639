// Judges a run of token characters that carries no prefix or label: is it key material or a
// generated credential, or something harmless that looks alike (a UUID, a named hash, an image, an
// identifier)? Thresholds are per character set and length: the Shannon entropy of a random string
// grows with its length, so each set has a table of the 0.5th percentile of random strings
// (measured with seeded samples, 2,000 per cell) and a value must reach it minus a margin.
import { shannonEntropy } from './validators.js';

export type Charset = 'hex' | 'case-digits' | 'alnum' | 'base64';

/** Lengths of the threshold tables; between two, the threshold is interpolated. */
const LENGTHS = [16, 20, 24, 32, 40, 64, 128, 256] as const;
/** 0.5th percentile of the entropy (bits per character) of random strings of each set. */
const RANDOM_P05: Readonly<Record<Charset, readonly number[]>> = {
  hex: [2.65, 2.81, 3.01, 3.22, 3.38, 3.59, 3.81, 3.9],
  'case-digits': [3.08, 3.35, 3.54, 3.82, 4.07, 4.45, 4.8, 4.99],
  alnum: [3.33, 3.58, 3.8, 4.19, 4.41, 4.87, 5.38, 5.68],
  base64: [3.33, 3.62, 3.83, 4.2, 4.43, 4.88, 5.42, 5.7],
};
/** How far below the random percentile a value may fall: generated keys carry some structure. */
export const ENTROPY_MARGIN = { bare: 0.1, labelled: 0.35, block: 0.45 } as const;

/** Without a word nearby, a token must be at least this long (a 40-character cloud secret is). */
export const MIN_BARE = { hex: 64, other: 32 } as const;
/** With a secret-naming word nearby (key, secret, token, password, credential). */
export const MIN_LABELLED = 16;
/** How far before a token the nearby words and harmless prefixes are looked for. */
export const LOOK_BEHIND = 64;

export function entropyThreshold(charset: Charset, length: number): number {
  const table = RANDOM_P05[charset];
  if (length <= LENGTHS[0]) return table[0]!;
  for (let i = 1; i < LENGTHS.length; i++) {
    const hi = LENGTHS[i]!;
    if (length <= hi) {
      const lo = LENGTHS[i - 1]!;
      const f = Math.log(length / lo) / Math.log(hi / lo);
      return table[i - 1]! + f * (table[i]! - table[i - 1]!);
    }
  }
  return table[table.length - 1]!;
}

export interface TokenStats {
  readonly charset: Charset | null;
  readonly digits: number;
  readonly letters: number;
  readonly entropy: number;
}

export function tokenStats(token: string): TokenStats {
  const classes = tokenClasses(token);
  return { ...classes, entropy: shannonEntropy(token) };
}

/** The character set and counts of tokenStats, without the entropy (cheap early verdicts). */
function tokenClasses(token: string): Omit<TokenStats, 'entropy'> {
  let digits = 0;
  let lower = 0;
  let upper = 0;
  let symbols = 0;
  let hexLetters = 0;
  let hexUpper = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 97 && c <= 122) {
      lower++;
      if (c <= 102) hexLetters++;
    } else if (c >= 65 && c <= 90) {
      upper++;
      if (c <= 70) hexUpper++;
    } else if (c !== 61) symbols++;
  }
  const letters = lower + upper;
  let charset: Charset | null;
  if (letters === 0)
    charset = null; // a number
  else if (symbols === 0 && ((hexLetters === lower && upper === 0) || (hexUpper === upper && lower === 0)))
    charset = digits > 0 ? 'hex' : null;
  else if (symbols > 0) charset = 'base64';
  else if (lower > 0 && upper > 0) charset = 'alnum';
  else charset = digits > 0 ? 'case-digits' : null;
  return { charset, digits, letters };
}

const VOWELS = new Set('aeiouAEIOU');
/** VOWELS by character code (a surrogate half is never one, so counting code units counts the same). */
const VOWEL_CODES = new Uint8Array(128);
for (const ch of VOWELS) VOWEL_CODES[ch.charCodeAt(0)] = 1;

/**
 * Identifiers and words joined by case or separators (`AbstractSingletonProxyFactoryBean`,
 * `src/protocols/postgres`): many vowels and few digits. Random base64 has about one vowel in five
 * letters and a digit in six characters.
 */
export function wordLike(token: string, stats: TokenStats): boolean {
  if (stats.letters === 0) return false;
  let vowels = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 128 && VOWEL_CODES[c] === 1) vowels++;
  }
  return vowels / stats.letters >= 0.3 && stats.digits < 3;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/**
 * The ids model providers give their objects (OpenAI `chatcmpl-…`, `resp_…`, `call_…`; Anthropic
 * `msg_01…`, `toolu_01…`, `req_…`), in every response body and header: identifiers, not secrets, and
 * the record needs them whole to match a call with the provider's logs. No provider's credential
 * takes one of these prefixes (theirs are `sk-…`, found by their own rules whatever this says).
 */
const PROVIDER_OBJECT_ID =
  /^(?:chatcmpl-|cmpl-|resp_|msg_|fc_|rs_|call_|file-|file_|batch_|toolu_|srvtoolu_|req_|msgbatch_|asst_|thread_|run_|step_|vs_)[A-Za-z0-9]{8,64}$/;
/** Words that name a value as a digest or an identifier: such a value is not a secret. */
const HASH_WORDS =
  /(?:sha-?(?:1|224|256|384|512)?|md5|hash|digest|checksum|commit|integrity|etag|fingerprint|revision|blake2?b?|crc32|uuid|guid|content[-_ ]?id|object[-_ ]?id)\W{0,6}$/i;
/** A token that names its digest (`sha256-…`, `sha1:…`). */
const SHA_PREFIX = /^sha\d{1,3}[-:]/i;
/**
 * The longest match of HASH_WORDS (`fingerprint` and six non-word characters) and SECRET_WORDS
 * (`credentials`, 24 name characters, ` equals `, six more): a match ends at the end of the text
 * before a token and has no lookbehind, so only that many last characters are searched.
 */
const HASH_WORDS_REACH = 17;
const SECRET_WORDS_REACH = 53;
/** Words that say a value is a secret. */
const SECRET_WORDS =
  /(?:key|secret|token|passw(?:or)?d|passphrase|pwd|credentials?|auth|bearer|signature|private|cookie|session|salt|seed)[\w-]{0,24}(?:\W{1,6}(?:is|was|are|equals)\b)?\W{0,6}$/i;
/**
 * A name ending in `id` names an identifier (`token_id`, `keyId`, `session-id`): the secret word in
 * it does not label the value. Such a value is still masked when it is a bare token on its own.
 */
const IDENTIFIER_NAME = /(?:[_-]id|[a-z]Id|[_-]ids)\\?["']?\s*[:=]\s*\\?["']?$/;
/** A private member of a JSON Web Key (`"d": "…"`, `"k": "…"`, RSA primes and exponents). */
const JWK_MEMBER = /\\?"(?:d|k|p|q|dp|dq|qi)\\?"\s*:\s*\\?"$/;
/** Public key blobs after their type name (`ssh-ed25519 AAAAC3Nza...`) and public PEM bodies. */
const PUBLIC_KEY_BEFORE = /(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com) $/;
const PUBLIC_PEM_BEFORE = /-----BEGIN (?:CERTIFICATE|PUBLIC KEY|CERTIFICATE REQUEST|X509 CRL)-----\s*$/;
/** data: URIs of media and text (fonts, images, source maps) are not key material. */
const HARMLESS_DATA_URI =
  /data:(?:image|audio|video|font|text)\/[\w.+-]+(?:;[\w=.-]+)*;base64,$|data:application\/(?:json|pdf|font-woff2?|x-font-\w+)(?:;[\w=.-]+)*;base64,$/i;

/** Decoded base64 that starts like a media file (PNG, JPEG, GIF, WebP/WAV, PDF, MP3, Ogg, ...). */
const MEDIA_BASE64_PREFIXES = [
  // Only the characters fixed by the magic bytes (a partial last character depends on what follows).
  'iVBORw0KGg', // PNG
  '/9j/', // JPEG
  'R0lGOD', // GIF
  'UklGR', // RIFF: WebP, WAV
  'JVBERi', // PDF
  'SUQz', // MP3 with ID3
  'T2dnU', // Ogg
  'AAAAIGZ0eX', // MP4
  'AAAAGGZ0eX',
  'AAAAHGZ0eX',
  'd09GR', // WOFF
  'PHN2Z', // <svg
  'PD94bW', // <?xml
];
/** Base64 of DER (a SEQUENCE with a long length: MII, MIG, MH, MC) or of an OpenSSH private key. */
const KEY_BASE64_PREFIX = /^(?:MI[I-J]|MIG|MH[a-z]|MC[0-9A-Za-z]|b3BlbnNzaC1rZXktdjE|UFVUVFk)/;

/**
 * Base64 of the names inside an OpenSSH private key body (`openssh-key-v1`, `ssh-ed25519`,
 * `ecdsa-sha2-nistp256`, `nistp256`) at the three byte alignments: a block of lines that
 * holds one is an OpenSSH key body, however low its entropy (its public part repeats).
 */
const OPENSSH_MARKERS: readonly string[] = (() => {
  const out = new Set<string>();
  for (const name of [
    'openssh-key-v1',
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'nistp256',
    'nistp384',
  ]) {
    const bytes = Buffer.from(name);
    for (let offset = 0; offset < 3; offset++) {
      const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]).toString('base64');
      const core = padded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
      if (core.length >= 8) out.add(core);
    }
  }
  return [...out];
})();

/** Short path words without a vowel that paths are full of (exported for the test's reference reading). */
export const PATH_WORDS: ReadonlySet<string> = new Set([
  'tmp',
  'usr',
  'bin',
  'sbin',
  'lib',
  'src',
  'ssh',
  'etc',
  'dev',
  'pkg',
  'cfg',
  'www',
]);

const isUpper = (c: number) => c >= 65 && c <= 90;

/**
 * A word in a path or name: letters in one case (or capitalised), at least two, with a vowel or
 * one of the path words. Random base64 splits into parts of mixed case and digits instead. The part
 * is `token.slice(start, end)`, ASCII letters only, read in place: only a part without a vowel is
 * cut out, to look it up in PATH_WORDS.
 */
function pathWordAt(token: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  // One case throughout, or a capital then lower case: the case of the second letter decides.
  const secondUpper = isUpper(token.charCodeAt(start + 1));
  let vowel = false;
  for (let i = start; i < end; i++) {
    const c = token.charCodeAt(i);
    if (i > start && isUpper(c) !== secondUpper) return false;
    if (VOWEL_CODES[c] === 1) vowel = true;
  }
  if (secondUpper && !isUpper(token.charCodeAt(start))) return false;
  return vowel || PATH_WORDS.has(token.slice(start, end).toLowerCase());
}

/** The characters that separate the words of a path or name: - _ / + . */
const SEPARATOR = new Uint8Array(65_536);
for (const ch of '-_/+.') SEPARATOR[ch.charCodeAt(0)] = 1;

/**
 * Paths and names joined by separators (`deployment/checkout-service-7d4b9c8f5d-x2z9q`,
 * `/tmp/vigil-ssh-work-LCCPP0/creds-up`): most of their letters are in words.
 */
export function separatedWords(token: string): boolean {
  // The parts between separators are read in place (this runs for every long run of the text).
  let parts = 0;
  let wordy = 0;
  let letters = 0;
  const n = token.length;
  for (let i = 0; i < n; ) {
    while (i < n && SEPARATOR[token.charCodeAt(i)] === 1) i++;
    if (i >= n) break;
    const start = i;
    let l = 0;
    while (i < n && SEPARATOR[token.charCodeAt(i)] !== 1) {
      const c = token.charCodeAt(i);
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) l++;
      i++;
    }
    parts++;
    letters += l;
    if (l === i - start && pathWordAt(token, start, i)) wordy += l;
  }
  return parts >= 2 && letters > 0 && wordy / letters >= 0.5;
}

/** A digest listed before its file name (sha256sum, shasum output: `<hex>  name` or `<hex> *name`). */
const HASH_AFTER = /^(?: [ *]|\t)[\w./-]+/;

export interface Verdict {
  readonly ruleId: 'key-material' | 'high-entropy-token';
  readonly detail: string;
}

function printableShare(token: string): number {
  const clean = token.replace(/[^A-Za-z0-9+/_-]/g, '');
  if (clean.length < 16) return 0;
  const bytes = Buffer.from(clean, /[-_]/.test(clean) ? 'base64url' : 'base64');
  if (bytes.length === 0) return 0;
  let printable = 0;
  for (const b of bytes) if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++;
  return printable / bytes.length;
}

/**
 * The verdict on `token` (base64, hex or alphanumeric characters; for a block, its lines joined),
 * given up to LOOK_BEHIND characters of text before it. `lines` > 1 for a multi-line block.
 */
export function judgeToken(token: string, before: string, lines: number, after = ''): Verdict | null {
  const length = token.length;
  if (length < MIN_LABELLED) return null;
  if (UUID.test(token) || PROVIDER_OBJECT_ID.test(token)) return null;
  const classes = tokenClasses(token);
  if (classes.charset === null) return null;
  // Verdicts that need nothing around the token, before the expressions over the text before it:
  // a single line of letters without a digit (an identifier) is never a secret (the check below),
  // nor is a token whose entropy is under its set's threshold even with the widest margin.
  // (A block is not cut short: an OpenSSH body is key material whatever its entropy.)
  if (lines <= 1 && classes.charset !== 'hex' && classes.digits === 0) return null;
  const stats = {
    charset: classes.charset,
    digits: classes.digits,
    letters: classes.letters,
    entropy: shannonEntropy(token),
  };
  if (lines <= 1 && stats.entropy < entropyThreshold(classes.charset, length) - ENTROPY_MARGIN.block)
    return null;
  // Each expression ends with the character checked first (`,`, a space; a PEM header's dashes).
  if (
    (before.endsWith(',') && HARMLESS_DATA_URI.test(before)) ||
    (before.endsWith(' ') && PUBLIC_KEY_BEFORE.test(before)) ||
    (before.includes('-----BEGIN ') && PUBLIC_PEM_BEFORE.test(before))
  )
    return null;
  if (stats.charset !== 'hex') {
    for (const p of MEDIA_BASE64_PREFIXES) if (token.startsWith(p)) return null;
  }
  const hashNamed = HASH_WORDS.test(lastOf(before, HASH_WORDS_REACH)) || SHA_PREFIX.test(token);
  if (hashNamed) return null;
  const labelled =
    (SECRET_WORDS.test(lastOf(before, SECRET_WORDS_REACH)) && !IDENTIFIER_NAME.test(before)) ||
    (before.endsWith('"') && JWK_MEMBER.test(before));
  if (stats.charset === 'hex' && !labelled && HASH_AFTER.test(after)) return null;
  if (lines > 1 && OPENSSH_MARKERS.some((m) => token.includes(m))) {
    return { ruleId: 'key-material', detail: `OpenSSH private key body; ${length} chars on ${lines} lines` };
  }
  const keyPrefix = stats.charset !== 'hex' && length >= 40 && KEY_BASE64_PREFIX.test(token);
  const block = lines > 1;
  const margin =
    block || keyPrefix ? ENTROPY_MARGIN.block : labelled ? ENTROPY_MARGIN.labelled : ENTROPY_MARGIN.bare;
  const threshold = entropyThreshold(stats.charset, length) - margin;
  const why = (kind: string) =>
    `${kind}; ${stats.charset}, ${length} chars${block ? ` on ${lines} lines` : ''}, entropy ${stats.entropy.toFixed(2)} ≥ ${threshold.toFixed(2)} bits/char${labelled ? `, near "${nearWord(before)}"` : ''}`;
  if (stats.entropy < threshold) return null;
  if (!block && !keyPrefix && ((!labelled && wordLike(token, stats)) || separatedWords(token))) return null;
  if (stats.charset !== 'hex' && stats.digits === 0 && !block) return null;
  if (block || keyPrefix) {
    if (stats.charset === 'hex' && !block) return null;
    return { ruleId: 'key-material', detail: why(keyPrefix ? 'DER or OpenSSH key prefix' : 'base64 block') };
  }
  const min = labelled ? MIN_LABELLED : stats.charset === 'hex' ? MIN_BARE.hex : MIN_BARE.other;
  if (length < min) return null;
  // Base64 of text (a source map, an encoded message) is not key material; of random bytes it is.
  if (!labelled && stats.charset === 'base64' && length >= 64 && printableShare(token) >= 0.95) return null;
  return {
    ruleId: length >= 64 && stats.charset !== 'hex' ? 'key-material' : 'high-entropy-token',
    detail: why(labelled ? 'labelled token' : 'bare token'),
  };
}

/** The last `n` characters of `text` (all of it when shorter). */
function lastOf(text: string, n: number): string {
  return text.length <= n ? text : text.slice(text.length - n);
}

function nearWord(before: string): string {
  const m = SECRET_WORDS.exec(before) ?? JWK_MEMBER.exec(before);
  return m ? m[0].replace(/[^\w-]+$/, '').replace(/^[^\w]+/, '') : '';
}
