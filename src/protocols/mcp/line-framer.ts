// Newline-delimited JSON-RPC, as MCP's stdio transport frames it: one message per line, no
// embedded newlines. Bounded: a line longer than the cap is refused instead of buffered.
import { VigilError } from '../../core/errors.js';

export class LineFramer {
  readonly #max: number;
  #parts: Buffer[] = [];
  #partLength = 0;
  readonly #lines: Buffer[] = [];

  constructor(maxLineBytes: number) {
    this.#max = maxLineBytes;
  }

  /** Adds bytes; throws message_too_large when an unfinished line passes the cap. */
  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.#partLength + piece.length > this.#max) this.#tooLong();
      const line = this.#partLength === 0 ? piece : Buffer.concat([...this.#parts, piece]);
      this.#parts = [];
      this.#partLength = 0;
      // A CR before the newline is tolerated (a server on Windows line endings).
      const trimmed = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
      if (trimmed.length > 0) this.#lines.push(Buffer.from(trimmed));
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.#partLength + rest.length > this.#max) this.#tooLong();
      this.#parts.push(Buffer.from(rest));
      this.#partLength += rest.length;
    }
  }

  next(): Buffer | null {
    return this.#lines.shift() ?? null;
  }

  get buffered(): number {
    return this.#partLength;
  }

  #tooLong(): never {
    this.#parts = [];
    this.#partLength = 0;
    throw new VigilError('message_too_large', `a line exceeds ${this.#max} bytes`);
  }
}
