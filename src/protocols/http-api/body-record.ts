// What a body looks like in the record: text (JSON, forms, plain text, SSE) kept up to a cap and
// masked by the pipeline like any payload; anything else by its SHA-256 and length only.
import { createHash, type Hash } from 'node:crypto';
import type { JsonObject } from '../../core/events.js';

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
  readonly #hash: Hash = createHash('sha256');

  constructor(cap: number) {
    this.#cap = cap;
  }

  add(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#hash.update(chunk);
    if (this.#keptBytes < this.#cap) {
      const piece = chunk.subarray(0, this.#cap - this.#keptBytes);
      this.#kept.push(Buffer.from(piece));
      this.#keptBytes += piece.length;
    }
  }

  record(contentType: string | undefined): JsonObject {
    const base = { bytes: this.#total, sha256: this.#hash.digest('hex') };
    if (this.#total === 0) return { ...base, text: '' };
    if (!isTextual(contentType)) return { ...base, binary: true };
    return {
      ...base,
      // A multi-byte character cut by the cap is dropped rather than recorded as U+FFFD.
      text: Buffer.concat(this.#kept)
        .toString('utf8')
        .replace(/\uFFFD$/, ''),
      truncated: this.#total > this.#keptBytes,
    };
  }
}
