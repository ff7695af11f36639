// What a body looks like in the record: text (JSON, forms, plain text, SSE) kept up to a cap and
// masked by the pipeline like any payload, read in its charset (body-text.ts); anything else by its
// SHA-256 and length only. Text is known by its content type or, when that does not call it text,
// by its bytes: the sender picks the label, and Go handlers (`json.NewDecoder(r.Body)`), Flask's
// `get_json(force=True)` and Rack (a form, when there is no content type) read a body whatever it
// says. A JSON payment sent as `application/octet-stream`, or with no content type, ran while the
// record, and the reviewer approving it, saw a hash (until 6 December).
import { createHash, type Hash } from 'node:crypto';
import { TextDecoder } from 'node:util';
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
    const truncated = this.#total > this.#keptBytes;
    const kept = isTextual(contentType)
      ? declaredText(Buffer.concat(this.#kept), contentType)
      : sniffedText(Buffer.concat(this.#kept), truncated);
    if (kept === null) return { ...base, binary: true };
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

/** A body its content type calls text, in its charset; null for a charset Vigil cannot decode. */
function declaredText(bytes: Buffer, contentType: string | undefined): string | null {
  // A multi-byte character cut by the cap is dropped rather than recorded as U+FFFD.
  return (
    bodyDecoder(contentType)
      ?.decode(bytes)
      .replace(/\uFFFD$/, '') ?? null
  );
}

/**
 * A body labelled as something else, read as the text any parser reads it as: valid UTF-8 with no
 * control character but tab, line ends and form feed, else null (binary). `cut`: the cap fell
 * inside the body, perhaps inside a character, whose first bytes are then dropped.
 */
function sniffedText(bytes: Buffer, cut: boolean): string | null {
  // Nothing kept (a cap of 0): nothing to tell text by.
  if (bytes.length === 0) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut });
  } catch {
    return null;
  }
  return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? null : text;
}
