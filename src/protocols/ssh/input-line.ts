// The command line being typed at an interactive terminal, assembled from the user's keystrokes:
// printable text, backspace, ^U, ^W, ^C, and bracketed paste (whose newlines are part of the line,
// not Enter). Keys that edit the line in ways keystrokes alone cannot follow (tab completion,
// history, cursor movement, ^R) mark the line uncertain: Vigil then reads it from the terminal
// screen instead (screen-line.ts). Pure and bounded: a line longer than `maxBytes` is kept as
// `overflow` and refused at Enter.

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/** Control keys that change the line in ways only the host's line editor knows. */
const EDITING_KEYS = new Set([0x01, 0x02, 0x05, 0x06, 0x09, 0x0b, 0x0e, 0x10, 0x12, 0x14, 0x19]);

export interface Consumed {
  /** Bytes of the chunk taken as typing (forwarded to the host at once). */
  readonly used: number;
  /** Whether the byte after them is an Enter (held until the line is judged). */
  readonly enter: boolean;
}

export class InputLine {
  readonly #maxBytes: number;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  #text = '';
  #printable = '';
  #uncertain = false;
  #overflow = false;
  #escape = '';
  #paste = false;
  #typedBytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get text(): string {
    return this.#text;
  }

  /** Printable characters typed on this line (what an echo would show). */
  get printable(): string {
    return this.#printable;
  }

  get uncertain(): boolean {
    return this.#uncertain;
  }

  get overflow(): boolean {
    return this.#overflow;
  }

  /** Keystroke bytes since the line started. */
  get typedBytes(): number {
    return this.#typedBytes;
  }

  reset(): void {
    this.#text = '';
    this.#printable = '';
    this.#uncertain = false;
    this.#overflow = false;
    this.#typedBytes = 0;
  }

  /** Takes keystrokes up to the first Enter outside a bracketed paste. */
  consume(chunk: Uint8Array): Consumed {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if ((byte === 0x0d || byte === 0x0a) && !this.#paste && this.#escape === '') {
        return { used: i, enter: true };
      }
      this.#typedBytes++;
      this.#byte(byte);
    }
    return { used: chunk.length, enter: false };
  }

  #byte(byte: number): void {
    if (this.#escape !== '') {
      this.#escape += String.fromCharCode(byte);
      // An escape sequence ends at a final byte (CSI) or after one character (ESC x).
      const done =
        this.#escape.length >= 16 ||
        (this.#escape.length === 2 && this.#escape[1] !== '[' && this.#escape[1] !== 'O') ||
        (this.#escape.length > 2 && byte >= 0x40 && byte <= 0x7e);
      if (!done) return;
      if (this.#escape === PASTE_START) this.#paste = true;
      else if (this.#escape === PASTE_END) this.#paste = false;
      else this.#uncertain = true;
      this.#escape = '';
      return;
    }
    if (byte === 0x1b) {
      this.#escape = '\x1b';
      return;
    }
    if (byte === 0x7f || byte === 0x08) {
      this.#text = Array.from(this.#text).slice(0, -1).join('');
      return;
    }
    if (byte === 0x15 || byte === 0x03) {
      // ^U kills the line; ^C abandons it.
      this.#text = '';
      return;
    }
    if (byte === 0x17) {
      this.#text = this.#text.replace(/\S*\s*$/, '');
      return;
    }
    if (this.#paste && (byte === 0x0d || byte === 0x0a)) {
      this.#append('\n');
      return;
    }
    if (EDITING_KEYS.has(byte)) {
      this.#uncertain = true;
      return;
    }
    if (byte < 0x20) return;
    const ch = this.#decoder.decode(Uint8Array.of(byte), { stream: true });
    if (ch !== '') this.#append(ch);
  }

  #append(ch: string): void {
    if (this.#text.length + ch.length > this.#maxBytes) {
      this.#overflow = true;
      return;
    }
    this.#text += ch;
    if (ch !== '\n') this.#printable = (this.#printable + ch).slice(-64);
  }
}

/**
 * Whether the host echoed what was typed: the last few printable characters typed appear in what the
 * terminal showed since the line began. No printable characters typed: nothing to hide.
 */
export function wasEchoed(printable: string, shown: string): boolean {
  const tail = printable.replace(/\s+$/, '').slice(-3);
  if (tail === '') return true;
  return shown.includes(tail);
}
