// RFC 6587 octet-counting framing, as RFC 5425 also uses over TLS: `MSG-LEN SP SYSLOG-MSG`, the
// length in bytes as a decimal without leading zeros. The reader keeps a partial frame across
// chunks and refuses a length over its cap before buffering it.
import { VigilError } from '../core/errors.js';

export function encodeOctetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export class OctetFrameReader {
  readonly #maxBytes: number;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(maxBytes = 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds bytes; returns the complete frames' messages (bytes), in order. */
  push(chunk: Buffer): Buffer[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const space = this.#buffer.indexOf(0x20);
      const digits = space < 0 ? this.#buffer.length : space;
      const maxDigits = String(this.#maxBytes).length;
      for (let i = 0; i < Math.min(digits, maxDigits + 1); i++) {
        const c = this.#buffer[i]!;
        if (c < 0x30 || c > 0x39 || (i === 0 && c === 0x30))
          throw invalid('MSG-LEN is not a decimal without leading zeros');
      }
      if (digits > maxDigits) throw tooLarge(this.#maxBytes);
      if (space < 0) return frames;
      if (space === 0) throw invalid('empty MSG-LEN');
      const length = Number(this.#buffer.subarray(0, space).toString('ascii'));
      if (length > this.#maxBytes) throw tooLarge(this.#maxBytes);
      if (this.#buffer.length < space + 1 + length) return frames;
      frames.push(Buffer.from(this.#buffer.subarray(space + 1, space + 1 + length)));
      this.#buffer = this.#buffer.subarray(space + 1 + length);
    }
  }

  /** Bytes of a frame not yet complete (a stream that ends with some is truncated). */
  get pending(): number {
    return this.#buffer.length;
  }
}

function invalid(what: string): VigilError {
  return new VigilError('protocol_violation', `not an octet-counted frame: ${what}`);
}

function tooLarge(cap: number): VigilError {
  return new VigilError('message_too_large', `an octet-counted frame is longer than ${cap} bytes`);
}
