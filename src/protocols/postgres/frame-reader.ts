// Splits a byte stream into PostgreSQL messages: `code(1) | length(4) | body`, or during startup
// the untyped `length(4) | body`. Partial frames are kept until complete; a declared length over
// the limit is refused before a byte of its body is buffered, so memory stays bounded.
import { VigilError } from '../../core/errors.js';

export interface Frame {
  /** The message type byte as a character; '' for an untyped startup-phase message. */
  readonly code: string;
  /** The body after the length word. */
  readonly body: Buffer;
  /** The whole frame as received (header included), for forwarding unchanged. */
  readonly raw: Buffer;
}

export class FrameReader {
  /** The largest frame accepted (header included); may change between phases. */
  maxBytes: number;
  /** Received chunks not yet framed; joined only once a whole frame is there, so a large message costs O(n). */
  #parts: Buffer[] = [];
  #size = 0;
  /** Startup-phase messages have no type byte. */
  untyped: boolean;

  constructor(maxBytes: number, untyped = false) {
    this.maxBytes = maxBytes;
    this.untyped = untyped;
  }

  /** Bytes received but not yet returned in a frame. */
  get buffered(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#parts.push(chunk);
    this.#size += chunk.length;
  }

  /**
   * The next complete frame, or null when more bytes are needed. The framing mode may change
   * between calls (startup, then typed). Throws `message_too_large` or `protocol_violation`.
   */
  next(): Frame | null {
    const header = this.untyped ? 4 : 5;
    if (this.#size < header) return null;
    if (this.#parts[0]!.length < header) this.#join();
    const first = this.#parts[0]!;
    const length = first.readUInt32BE(header - 4);
    if (length < 4 || length > 0x7fffffff) {
      throw new VigilError('protocol_violation', `invalid message length ${length}`);
    }
    const total = length + header - 4;
    if (total > this.maxBytes) {
      throw new VigilError(
        'message_too_large',
        `message of ${total} bytes exceeds the limit of ${this.maxBytes}`,
        { details: { limit: this.maxBytes } },
      );
    }
    if (this.#size < total) return null;
    if (first.length < total) this.#join();
    const buf = this.#parts[0]!;
    const raw = buf.subarray(0, total);
    if (buf.length === total) this.#parts.shift();
    else this.#parts[0] = buf.subarray(total);
    this.#size -= total;
    return { code: this.untyped ? '' : String.fromCharCode(buf[0]!), body: raw.subarray(header), raw };
  }

  /**
   * The type and whole size (header included) of the next typed frame, once its header has
   * arrived; nothing is taken. For passing a large frame on as it arrives (`takeUpTo`).
   */
  peekHeader(): { readonly code: string; readonly total: number } | null {
    if (this.untyped || this.#size < 5) return null;
    if (this.#parts[0]!.length < 5) this.#join();
    const first = this.#parts[0]!;
    return { code: String.fromCharCode(first[0]!), total: first.readUInt32BE(1) + 1 };
  }

  /** Up to `max` received bytes, unframed (the rest of a frame passed on as it arrives), or null when none. */
  takeUpTo(max: number): Buffer | null {
    if (this.#size === 0 || max <= 0) return null;
    const first = this.#parts[0]!;
    const n = Math.min(max, first.length);
    if (n === first.length) this.#parts.shift();
    else this.#parts[0] = first.subarray(n);
    this.#size -= n;
    return first.subarray(0, n);
  }

  /** One unframed byte (the answer to an SSLRequest), or null when none has arrived. */
  takeByte(): number | null {
    if (this.#size === 0) return null;
    const first = this.#parts[0]!;
    const byte = first[0]!;
    if (first.length === 1) this.#parts.shift();
    else this.#parts[0] = first.subarray(1);
    this.#size -= 1;
    return byte;
  }

  #join(): void {
    this.#parts = [Buffer.concat(this.#parts, this.#size)];
  }
}
