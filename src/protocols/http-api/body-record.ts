// What a body looks like in the record: text (JSON, forms, plain text, SSE) kept up to a cap and
// masked by the pipeline like any payload, read in its charset (body-text.ts); anything else by its
// SHA-256 and length only.
import { createHash, type Hash } from 'node:crypto';
import type { JsonObject } from '../../core/events.js';
import { withoutCutWord } from '../../core/record-cut.js';
import { bodyDecoder } from './body-text.js';

export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.toLowerCase();
  return (
    t.startsWith('text/') ||
    t.includes('json') ||
    t.includes('xml') ||
    t.includes('x-www-form-urlencoded') ||
    t.includes('javascript') ||
    t.includes('graphql')
  );
}

/** Accumulates a body as it streams: the first `cap` bytes kept, every byte hashed and counted. */
export class BodyRecorder {
  readonly #cap: number;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;
  #total = 0;
  /** The first byte after the kept prefix, once the body goes past the cap. */
  #next: number | null = null;
  readonly #hash: Hash = createHash('sha256');

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#hash.update(chunk);
    let rest = chunk;
    if (this.#keptBytes < this.#cap) {
      const piece = chunk.subarray(0, this.#cap - this.#keptBytes);
      this.#kept.push(Buffer.from(piece));
      this.#keptBytes += piece.length;
      rest = chunk.subarray(piece.length);
    }
    if (this.#next === null && rest.length > 0) this.#next = rest[0]!;
  }

  record(contentType: string | undefined): JsonObject {
    const base = { bytes: this.#total, sha256: this.#hash.digest('hex') };
    if (this.#total === 0) return { ...base, text: '' };
    // Text in a charset Vigil cannot decode is kept by hash, like binary: read as UTF-8 it would
    // hide what it holds from the masker.
    const decoder = isTextual(contentType) ? bodyDecoder(contentType) : null;
    if (decoder === null) return { ...base, binary: true };
    // A multi-byte character cut by the cap is dropped rather than recorded as U+FFFD.
    const kept = decoder.decode(Buffer.concat(this.#kept)).replace(/\uFFFD$/, '');
    const truncated = this.#total > this.#keptBytes;
    return {
      ...base,
      // Cut short, the word the cap fell in (perhaps a key) is dropped rather than kept in part.
      text: truncated
        ? withoutCutWord(kept, this.#next !== null && this.#next < 128 ? String.fromCharCode(this.#next) : '')
        : kept,
      truncated,
    };
  }
}
