// The terminal's current line as the user sees it, rebuilt from the host's output: printable text
// written at the cursor, carriage return, backspace, and the few escape sequences line editors use
// to redraw a line (cursor left/right, erase to end of line, delete and insert characters). Vigil
// reads a command line from here when keystrokes alone cannot tell it (tab completion, history).
// Everything else (colours, titles, other cursor moves) is skipped. Pure, bounded.

const ESC = 0x1b;

type Mode = 'text' | 'escape' | 'csi' | 'osc' | 'osc-escape';

export class ScreenLine {
  readonly #maxChars: number;
  #cells: string[] = [];
  #cursor = 0;
  #mode: Mode = 'text';
  #params = '';
  /** Printable characters written since the last reset point (`mark`), for echo detection. */
  #written = '';
  #bracketedPaste = false;
  #linesStarted = 0;

  constructor(maxChars = 8192) {
    this.#maxChars = maxChars;
  }

  get text(): string {
    return this.#cells.join('').trimEnd();
  }

  /** Whether the host has bracketed paste on (ESC[?2004h, until ESC[?2004l). */
  get bracketedPaste(): boolean {
    return this.#bracketedPaste;
  }

  /** How many new lines the host has started (a line feed, a cleared or homed screen): one drawn since a count was taken. */
  get linesStarted(): number {
    return this.#linesStarted;
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Printable text written since `mark()` (the last `maxChars` of it). */
  get writtenSinceMark(): string {
    return this.#written;
  }

  mark(): void {
    this.#written = '';
  }

  write(text: string): void {
    for (const ch of text) this.#char(ch);
  }

  #char(ch: string): void {
    const code = ch.codePointAt(0)!;
    switch (this.#mode) {
      case 'escape':
        if (ch === '[') {
          this.#mode = 'csi';
          this.#params = '';
        } else if (ch === ']') this.#mode = 'osc';
        else this.#mode = 'text';
        return;
      case 'csi':
        if (code >= 0x40 && code <= 0x7e) {
          this.#csi(ch, this.#params);
          this.#mode = 'text';
        } else if (this.#params.length < 32) this.#params += ch;
        return;
      case 'osc':
        if (code === 0x07) this.#mode = 'text';
        else if (code === ESC) this.#mode = 'osc-escape';
        return;
      case 'osc-escape':
        this.#mode = ch === '\\' ? 'text' : 'osc';
        return;
      default:
        break;
    }
    if (code === ESC) {
      this.#mode = 'escape';
      return;
    }
    if (ch === '\r') this.#cursor = 0;
    else if (ch === '\n') {
      this.#linesStarted++;
      this.#cells = [];
      this.#cursor = 0;
    } else if (ch === '\b') this.#cursor = Math.max(0, this.#cursor - 1);
    else if (code >= 0x20 && code !== 0x7f) {
      if (this.#cursor >= this.#maxChars) return;
      while (this.#cells.length < this.#cursor) this.#cells.push(' ');
      this.#cells[this.#cursor++] = ch;
      this.#written = (this.#written + ch).slice(-this.#maxChars);
    }
  }

  #csi(final: string, params: string): void {
    if ((final === 'h' || final === 'l') && params.startsWith('?')) {
      // DEC private modes: 2004 is bracketed paste (the input guard reads a paste as text only while it is on).
      if (params.slice(1).split(';').includes('2004')) this.#bracketedPaste = final === 'h';
      return;
    }
    const n = Math.max(1, Number.parseInt(params, 10) || 1);
    switch (final) {
      case 'C':
        this.#cursor = Math.min(this.#maxChars, this.#cursor + n);
        break;
      case 'D':
        this.#cursor = Math.max(0, this.#cursor - n);
        break;
      case 'K':
        // 0 (default): to the end of the line; 1: to the cursor; 2: all of it.
        if (params === '' || params === '0') this.#cells.length = Math.min(this.#cells.length, this.#cursor);
        else if (params === '2') this.#cells = [];
        else for (let i = 0; i < this.#cursor && i < this.#cells.length; i++) this.#cells[i] = ' ';
        break;
      case 'P':
        this.#cells.splice(this.#cursor, n);
        break;
      case '@':
        if (this.#cursor <= this.#cells.length) this.#cells.splice(this.#cursor, 0, ...' '.repeat(n));
        this.#cells.length = Math.min(this.#cells.length, this.#maxChars);
        break;
      case 'G':
        this.#cursor = Math.min(this.#maxChars, n - 1);
        break;
      case 'J':
      case 'H':
        // A cleared or homed screen starts a new line as far as commands go.
        if (final === 'H' || params === '2') {
          this.#linesStarted++;
          this.#cells = [];
          this.#cursor = 0;
        }
        break;
      default:
        break;
    }
  }
}
