// The lines of a `COPY … FROM STDIN` as the server reads them. A client's CopyData messages need
// not follow its lines: psql sends whole buffers of them, and a raw client may cut a line (or a
// quoted csv field) anywhere. The server reads the data as one stream, and so does this splitter:
// - text format: a line ends at a newline the backslash does not quote (`\` quotes the byte after
//   it, a newline included);
// - csv: a line ends at a newline outside quotes; inside them, the ESCAPE byte quotes the byte after
//   it (when it is not the QUOTE byte: a doubled quote toggles twice, so it needs no case);
// - either way a line that is just `\.` ends the data: the server reads nothing after it.
// A trailing carriage return is taken off (CRLF files); the last line needs no newline. A line is
// held only while `hold()` says so (record_rows not reached) and up to MAX_HELD_LINE bytes: past
// either it is reported by its size. Memory is bounded by one held line whatever the stream.

/** The longest line held for decoding: larger lines are recorded by size. */
export const MAX_HELD_LINE = 1024 * 1024;

export interface CopyLineSyntax {
  /** csv's QUOTE and ESCAPE bytes; null for the text format. */
  readonly csv: { readonly quote: number; readonly escape: number } | null;
}

/** A held line (without its newline), or the size of one that was not held. */
export type CopyLine = Buffer | { readonly bytes: number };

const NEWLINE = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const END_MARKER = Buffer.from('\\.');

export class CopyInLines {
  readonly #syntax: CopyLineSyntax;
  readonly #hold: () => boolean;
  readonly #onLine: (line: CopyLine) => void;
  /** Pieces of the current line, while it is held. */
  #pieces: Buffer[] = [];
  #lineBytes = 0;
  /** Whether the current line is held (decided at its first byte). */
  #holding: boolean | null = null;
  /** The previous byte quoted the next one (a backslash, or csv's ESCAPE inside quotes). */
  #quoting = false;
  #inQuotes = false;
  /** The line `\.` was read: the server ignores the rest. */
  #ended = false;
  /** Bytes after the end marker. */
  ignored = 0;

  constructor(syntax: CopyLineSyntax, hold: () => boolean, onLine: (line: CopyLine) => void) {
    this.#syntax = syntax;
    this.#hold = hold;
    this.#onLine = onLine;
  }

  /** Whether the data's end marker was read. */
  get ended(): boolean {
    return this.#ended;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (this.#ended) {
        this.ignored += chunk.length - i;
        return;
      }
      if (!this.#isLineEnd(chunk[i]!)) continue;
      this.#take(chunk.subarray(start, i));
      this.#lineDone();
      start = i + 1;
    }
    if (this.#ended) this.ignored += chunk.length - start;
    else this.#take(chunk.subarray(start));
  }

  /** The data ended (CopyDone): a last line without its newline is a line. */
  end(): void {
    if (!this.#ended && this.#lineBytes > 0) this.#lineDone();
  }

  /** Whether byte `b` ends the current line; follows quoting state byte by byte. */
  #isLineEnd(b: number): boolean {
    if (this.#quoting) {
      this.#quoting = false;
      return false;
    }
    const csv = this.#syntax.csv;
    if (csv === null) {
      if (b === BACKSLASH) this.#quoting = true;
      return b === NEWLINE;
    }
    if (this.#inQuotes) {
      if (b === csv.escape && csv.escape !== csv.quote) this.#quoting = true;
      else if (b === csv.quote) this.#inQuotes = false;
      return false;
    }
    if (b === csv.quote) this.#inQuotes = true;
    return b === NEWLINE;
  }

  #take(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.#holding === null) this.#holding = this.#hold();
    this.#lineBytes += bytes.length;
    // A short line is kept whatever `hold` says: it may be the end marker (with its CR).
    const keep =
      this.#lineBytes <= END_MARKER.length + 1 || (this.#holding && this.#lineBytes <= MAX_HELD_LINE + 1);
    if (keep) this.#pieces.push(Buffer.from(bytes));
    else this.#pieces = [];
  }

  #lineDone(): void {
    const held = this.#pieces.length > 0 ? Buffer.concat(this.#pieces) : Buffer.alloc(0);
    const size = this.#lineBytes;
    const whole = held.length === size;
    const line = whole && held[size - 1] === CR ? held.subarray(0, size - 1) : held;
    const holding = this.#holding ?? this.#hold();
    this.#pieces = [];
    this.#lineBytes = 0;
    this.#holding = null;
    if (whole && line.equals(END_MARKER)) {
      this.#ended = true;
      return;
    }
    this.#onLine(holding && whole && line.length <= MAX_HELD_LINE ? line : { bytes: size });
  }
}
