// A terminal draws a combining mark on the cell of the letter before it, and a zero-width character
// (a zero-width space, a joiner, a byte-order mark) on no cell at all. The player's emulator gives
// each of them a cell of its own: `A` followed by 2,000 U+0333 filled 25 rows of the player, so the
// text after it, shown on one line on the terminal, was drawn a screen further down, and every line
// before it had scrolled out of view (2,000 zero-width spaces did the same, drawing nothing at all).
// A recording could thus show an auditor a screen nobody saw. Before the player is handed the
// recording, zero-width format characters are taken out of it, and a letter keeps at most the
// first four of the marks that follow it (mark-runs.ts: more than any script writes on one; a
// terminal such as xterm keeps two by default). The timeline shows the output as recorded, with
// long runs counted.
import { rewriteCastFrames } from './cast-frames.js';
import { KEPT_MARKS } from './mark-runs.js';

/** Characters a terminal draws on no cell, which also draw nothing in the page. */
const ZERO_WIDTH_FORMAT =
  /[\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\u{E0001}\u{E0020}-\u{E007F}\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}]/u;
/** Marks a terminal draws on the cell before them (nonspacing and enclosing; a spacing mark takes a cell). */
const CELL_MARK = /[\p{Mn}\p{Me}]/u;

/** Where the reader is in the output: printed text, or inside an escape sequence (whose bytes print nothing). */
type Place = 'text' | 'escape' | 'csi' | 'string' | 'string-escape';

/** Reads output as a terminal's parser does, far enough to tell printed characters from sequences. */
class CellReader {
  private place: Place = 'text';
  /** Marks kept on the last printed character. */
  private marks = 0;

  filter(data: string): string {
    // Copied in slices, and only when something is dropped: most output holds nothing to drop.
    let out = '';
    let from = 0;
    for (let i = 0; i < data.length; ) {
      const code = data.codePointAt(i)!;
      const next = i + (code > 0xffff ? 2 : 1);
      if (!this.keeps(code)) {
        out += data.slice(from, i);
        from = next;
      }
      i = next;
    }
    return from === 0 ? data : out + data.slice(from);
  }

  private keeps(code: number): boolean {
    if (code === 0x18 || code === 0x1a) {
      this.place = 'text';
      return true;
    }
    switch (this.place) {
      case 'escape':
        this.afterEscape(code);
        return true;
      case 'csi':
        if (code === 0x1b) this.place = 'escape';
        else if (code >= 0x40 && code <= 0x7e) this.place = 'text';
        return true;
      case 'string':
        if (code === 0x07 || code === 0x9c) this.place = 'text';
        else if (code === 0x1b) this.place = 'string-escape';
        return true;
      case 'string-escape':
        if (code === 0x5c) this.place = 'text';
        else this.afterEscape(code);
        return true;
      case 'text':
        return this.printed(code);
    }
  }

  private afterEscape(code: number): void {
    if (code === 0x5b) this.place = 'csi';
    else if (code === 0x5d || code === 0x50 || code === 0x58 || code === 0x5e || code === 0x5f)
      this.place = 'string';
    else if (code === 0x1b || (code >= 0x20 && code <= 0x2f)) this.place = 'escape';
    else this.place = 'text';
  }

  private printed(code: number): boolean {
    if (code === 0x1b) this.place = 'escape';
    else if (code === 0x9b) this.place = 'csi';
    else if (code === 0x90 || code === 0x98 || code === 0x9d || code === 0x9e || code === 0x9f)
      this.place = 'string';
    // Controls move the cursor or do nothing; none starts a new cell for marks to sit on.
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return true;
    if (code < 0x300) {
      this.marks = 0;
      return true;
    }
    const ch = String.fromCodePoint(code);
    if (ZERO_WIDTH_FORMAT.test(ch)) return false;
    if (CELL_MARK.test(ch)) return this.marks++ < KEPT_MARKS;
    this.marks = 0;
    return true;
  }
}

/**
 * The asciicast text with zero-width format characters taken out and at most KEPT_MARKS marks on a
 * printed character; still valid asciicast. Output frames are read as one stream (a run of marks
 * may be split across frames, or broken up by escape sequences); marker labels each on their own.
 */
export function withTerminalCells(cast: string): string {
  const output = new CellReader();
  return rewriteCastFrames(cast, (kind, data) => {
    if (kind === 'o') return output.filter(data);
    if (kind === 'm') return new CellReader().filter(data);
    return null;
  });
}
