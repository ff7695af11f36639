// Verifies a bundle file as it is read, in memory bounded by its largest event, not by the file.
// Whoever hands an auditor a bundle chooses its size: until 7 December `vigil verify --bundle` read
// the whole file, parsed it whole and encoded it again to compare, so a 400 MB file of small JSON
// objects took the verifier past its heap (4 GB) and it died (SIGABRT) after three minutes, with no
// report (test/ledger/attacker-bundle-stream.test.ts).
// A bundle is canonical JSON, so its members come in one order (checkpoint, events, format,
// public_key, purges, session, v) with no whitespace: the file is read as that fixed text between
// its values, and each value (the checkpoint, each event, ...) must itself be the canonical JSON of
// what it parses to. Together that is exactly "the file is the canonical JSON of the bundle".
import { open } from 'node:fs/promises';
import { canonicalJson } from '../core/canonical-json.js';
import { BundleChecks, BundleFault, fail } from './bundle-checks.js';
import { type BundleReport, reportOf } from './bundle-verify.js';
import type { Keyring } from './keyring.js';

/**
 * The most bytes one value of a bundle (an event with its payload, the checkpoint, ...) may take.
 * The gateway takes request bodies of 32 MiB by default (`max_body_bytes`); this leaves room for a
 * larger setting while keeping what one event costs to parse far below the heap.
 */
export const MAX_BUNDLE_PART_BYTES = 128 * 2 ** 20;
/**
 * The most JSON values (objects, arrays, strings, numbers, literals) one value of a bundle may hold.
 * Parsing costs memory per value, not per byte: 128 MiB of `{},` is 44 million objects, past a 4 GB
 * heap. 2^22 values keep one event's parse to a few hundred MB.
 */
export const MAX_BUNDLE_PART_VALUES = 2 ** 22;
const CHUNK_BYTES = 2 ** 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

export interface StreamLimits {
  /** The most bytes one value may take (MAX_BUNDLE_PART_BYTES). */
  readonly maxPartBytes?: number;
  /** The most JSON values one value may hold (MAX_BUNDLE_PART_VALUES). */
  readonly maxPartValues?: number;
  /** The bytes read at a time (tests cut the file at every place with a small one). */
  readonly chunkBytes?: number;
}

export async function verifyBundleStream(
  path: string,
  trusted?: Keyring,
  {
    maxPartBytes = MAX_BUNDLE_PART_BYTES,
    maxPartValues = MAX_BUNDLE_PART_VALUES,
    chunkBytes = CHUNK_BYTES,
  }: StreamLimits = {},
): Promise<BundleReport> {
  const file = await open(path, 'r');
  let checks: BundleChecks | null = null;
  try {
    const size = (await file.stat()).size;
    const read: ReadInto = (buffer) => file.read(buffer, 0, buffer.length, null);
    const reader = new BundleReader(read, size, { maxPartBytes, maxPartValues }, Buffer.alloc(chunkBytes));
    await reader.expect('{"checkpoint":');
    checks = new BundleChecks(await reader.value(), trusted);
    checks.checkTrustedSignature();
    await reader.expect(',"events":[');
    if ((await reader.peek()) === CLOSE_BRACKET) fail('bundle_malformed', 'the bundle has no events');
    await reader.list((e) => checks!.event(e));
    await reader.expect(',"format":');
    const format = await reader.value();
    await reader.expect(',"public_key":');
    const publicKey = await reader.value();
    await reader.expect(',"');
    if ((await reader.peek()) === 'p'.charCodeAt(0)) {
      await reader.expect('purges":[');
      if ((await reader.peek()) === CLOSE_BRACKET)
        fail('bundle_malformed', 'the purge records are malformed');
      await reader.list((e) => checks!.purge(e));
      await reader.expect(',"');
    }
    checks.purgesRead();
    await reader.expect('session":');
    const session = await reader.value();
    await reader.expect(',"v":');
    const v = await reader.value();
    await reader.expect('}');
    if ((await reader.peek()) === NEWLINE) await reader.next();
    if ((await reader.peek()) !== -1) reader.malformed();
    checks.tail({ format, v, publicKey, session });
    checks.end();
    return reportOf(checks, null, checks.session);
  } catch (err) {
    if (!(err instanceof BundleFault)) throw err;
    return reportOf(checks, err.fault, checks?.session ?? null);
  } finally {
    await file.close();
  }
}

type ReadInto = (buffer: Buffer) => Promise<{ bytesRead: number }>;

/** The file's bytes a chunk at a time: fixed text, and JSON values cut out whole. */
class BundleReader {
  #start = 0;
  #end = 0;
  /** Bytes of the file before #buffer[0]. */
  #base = 0;
  #eof = false;

  constructor(
    readonly read: ReadInto,
    readonly size: number,
    readonly limits: { readonly maxPartBytes: number; readonly maxPartValues: number },
    readonly buffer: Buffer,
  ) {}

  /** The next byte, or -1 at the end of the file. */
  async peek(): Promise<number> {
    if (this.#start === this.#end && !(await this.#fill())) return -1;
    return this.buffer[this.#start]!;
  }

  async next(): Promise<number> {
    const byte = await this.peek();
    if (byte !== -1) this.#start++;
    return byte;
  }

  async expect(text: string): Promise<void> {
    for (let i = 0; i < text.length; i++) {
      if ((await this.next()) !== text.charCodeAt(i)) this.malformed(-1);
    }
  }

  /** Values separated by commas up to the closing bracket, each handed to `take` as it is read. */
  async list(take: (value: unknown) => void): Promise<void> {
    for (;;) {
      take(await this.value());
      const after = await this.next();
      if (after === CLOSE_BRACKET) return;
      if (after !== COMMA) this.malformed(-1);
    }
  }

  /** One JSON value, which must be spelled as canonical JSON spells what it parses to. */
  async value(): Promise<unknown> {
    const parts: Buffer[] = [];
    let length = 0;
    /** Values begun so far, outside strings: each opener and comma starts one (strings count as theirs). */
    let values = 1;
    let depth = 0;
    let inString = false;
    let escaped = false;
    let first = true;
    let scalar = false;
    let done = false;
    const begins = this.#base + this.#start;
    while (!done) {
      if (this.#start === this.#end && !(await this.#fill())) {
        // A number or literal may end the file (what follows is then missing, said by the caller).
        if (scalar) break;
        this.malformed();
      }
      const from = this.#start;
      let i = from;
      for (; i < this.#end; i++) {
        const b = this.buffer[i]!;
        if (first) {
          first = false;
          if (b === QUOTE) inString = true;
          else if (OPENERS.has(b)) depth = 1;
          else if (CLOSERS.has(b) || b === COMMA) this.malformed();
          else scalar = true;
        } else if (scalar) {
          // The byte that ends a number or literal is not part of it.
          if (b === COMMA || CLOSERS.has(b)) {
            done = true;
            break;
          }
        } else if (inString) {
          if (escaped) escaped = false;
          else if (b === BACKSLASH) escaped = true;
          else if (b === QUOTE) inString = false;
        } else if (b === QUOTE) inString = true;
        else if (OPENERS.has(b)) {
          depth++;
          values++;
        } else if (CLOSERS.has(b)) depth--;
        else if (b === COMMA) values++;
        // A string at the top, or a container closed: the value ends with this byte.
        if (!scalar && !inString && depth === 0) {
          i++;
          done = true;
          break;
        }
      }
      length += i - from;
      const { maxPartBytes, maxPartValues } = this.limits;
      if (length > maxPartBytes || values > maxPartValues) {
        fail(
          'bundle_malformed',
          `the bundle (${this.size} bytes) holds a value at byte ${begins} of more than ${
            length > maxPartBytes ? `${maxPartBytes} bytes` : `${maxPartValues} JSON values`
          }, more than verify reads as one event`,
        );
      }
      parts.push(Buffer.from(this.buffer.subarray(from, i)));
      this.#start = i;
    }
    return this.#decode(Buffer.concat(parts, length));
  }

  #decode(bytes: Buffer): unknown {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return fail('bundle_malformed', 'the bundle is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
      // JSON.parse takes what canonical JSON cannot spell (1e400 is Infinity) or nests too deep to encode.
      if (canonicalJson(parsed) === text) return parsed;
    } catch {
      // malformed, below
    }
    return fail('bundle_malformed', `the bundle (${this.size} bytes) is not canonical JSON`);
  }

  /** Where the fixed text of a bundle is not what the file holds. `back`: the byte was already taken. */
  malformed(back = 0): never {
    const at = this.#base + this.#start + back;
    return fail(
      'bundle_malformed',
      `the bundle (${this.size} bytes) is not canonical JSON with exactly a bundle's fields (at byte ${Math.max(at, 0)})`,
    );
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    this.#base += this.#end;
    const { bytesRead } = await this.read(this.buffer);
    this.#start = 0;
    this.#end = bytesRead;
    if (bytesRead === 0) this.#eof = true;
    return bytesRead > 0;
  }
}
