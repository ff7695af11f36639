// The command line being typed at an interactive terminal, assembled from the user's keystrokes:
// printable text, backspace, ^U, ^W, ^C, and bracketed paste (whose newlines are part of the line,
// not Enter). Keys that edit the line in ways keystrokes alone cannot follow (tab completion,
// history, cursor movement, ^R) mark the line uncertain: Vigil then reads it from the terminal
// screen instead (screen-line.ts). Pure and bounded: a line longer than `maxBytes` is kept as
// `overflow` and refused at Enter.

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * Control keys that change the line in ways only the host's line editor knows. ^Q and ^V are
 * quoted-insert: the key after them is taken literally (a ^U as a character, not a kill), so the
 * line holds what keystrokes alone cannot tell; ^X starts bash's two-key commands (^X^U undoes).
 * ^] is character-search (the key after it is looked for, never inserted), ^_ is undo (a line ^U
 * killed comes back), ^S is forward-search-history (where the terminal does not take it as XOFF).
 */
const EDITING_KEYS = new Set([
  0x01, 0x02, 0x05, 0x06, 0x09, 0x0b, 0x0e, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x18, 0x19, 0x1d, 0x1f,
]);

/**
 * bash's default keys that run the line with no Enter for the guard to hold, by the name of the
 * readline command: ^X^E opens the line in an editor and runs what it leaves; ^X e replays the
 * last keyboard macro, which may end in an Enter that passed when it was recorded (on another
 * line); M-# (ESC #) with an argument (ESC 1) takes the leading # off the line and runs it.
 */
export type UnseenRun = 'edit-and-execute-command' | 'call-last-kbd-macro' | 'insert-comment';

/** M-# as one byte (0x80 | '#'), as a line editor that reads 8-bit Meta keys takes it (bash in the C locale). */
const META_HASH = 0xa3;

/**
 * Keys that run the line: Enter (^M), ^J, and ^O, bash's operate-and-get-next, which runs the line
 * as Enter does (then recalls the next one from history). Each is held until the line is judged.
 */
const ENTER_KEYS = new Set([0x0d, 0x0a, 0x0f]);

/**
 * ^D, the terminal's end-of-file key. To a program that reads the terminal without a line editor
 * (dash, `sh`), ^D on a line that is not empty hands it the line with no Enter, and a second ^D
 * ends its input: dash then runs what it was handed (`touch x` ^D ^D made x, judged by nothing).
 * On a line that is not empty it is held and judged as an Enter is; to a line editor it is
 * delete-char there, and an Enter later judges the whole line again. On an empty line it passes.
 */
export const END_OF_FILE = 0x04;

export interface Consumed {
  /** Bytes of the chunk taken as typing (forwarded to the host at once). */
  readonly used: number;
  /** Whether the byte after them is a key that runs the line (held until the line is judged). */
  readonly enter: boolean;
  /**
   * Whether the byte after them is the last key of one that runs the line unseen (UnseenRun): the
   * byte is never passed on.
   */
  readonly runsUnseen?: UnseenRun;
}

export class InputLine {
  readonly #maxBytes: number;
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  #text = '';
  #printable = '';
  #uncertain = false;
  #overflow = false;
  #abandoned = false;
  #escape = '';
  #afterCtrlX = false;
  /** How many bytes the UTF-8 character being typed still needs. */
  #utf8Needs = 0;
  #paste = false;
  #typedBytes = 0;

  /**
   * Whether the host turned bracketed paste on (it wrote ESC[?2004h): set by the guard from the
   * screen before each chunk of keystrokes.
   */
  bracketedPaste = false;

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

  /** Whether ^C was typed on this line: the shell dropped whatever statement it held open. */
  get abandoned(): boolean {
    return this.#abandoned;
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
    this.#abandoned = false;
    this.#typedBytes = 0;
  }

  /** Takes keystrokes up to the first Enter outside a bracketed paste. */
  consume(chunk: Uint8Array): Consumed {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#escape !== '' && !this.#paste && byte < 0x20) {
        // A control key is never part of an escape sequence (ECMA-48 runs it where it comes): a
        // line editor reads the ESC as a key of its own, then this one (in vi mode ESC then Enter
        // runs the line), so the key counts as itself and the line is read from the screen.
        this.#escape = '';
        this.#uncertain = true;
      }
      const runs = ENTER_KEYS.has(byte) || (byte === END_OF_FILE && (this.#text !== '' || this.#uncertain));
      if (runs && !this.#paste && this.#escape === '') {
        this.#afterCtrlX = false;
        return { used: i, enter: true };
      }
      const unseen = this.#paste ? null : this.#runsUnseen(byte);
      if (unseen) {
        // The host holds a prefix (^X, ESC, a part of a character) the guard answers with ^G.
        this.#afterCtrlX = false;
        this.#escape = '';
        this.#utf8Needs = 0;
        this.#uncertain = true;
        return { used: i, enter: false, runsUnseen: unseen };
      }
      this.#afterCtrlX = byte === 0x18 && !this.#paste && this.#escape === '';
      this.#typedBytes++;
      this.#byte(byte);
    }
    return { used: chunk.length, enter: false };
  }

  /** Whether this byte completes a key that runs the line with no Enter (UnseenRun). */
  #runsUnseen(byte: number): UnseenRun | null {
    if (this.#afterCtrlX && this.#escape === '') {
      if (byte === 0x05) return 'edit-and-execute-command';
      if (byte === 0x65 || byte === 0x45) return 'call-last-kbd-macro';
    }
    if (this.#escape === '\x1b' && byte === 0x23) return 'insert-comment';
    // As an 8-bit Meta key (bash in the C locale), where it is not part of a UTF-8 character.
    if (byte === META_HASH && this.#escape === '' && this.#utf8Needs === 0) return 'insert-comment';
    return null;
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
      // A paste is text only where the host asked for bracketed paste: elsewhere (dash, cat, a
      // shell with it turned off) the markers are stray keys and a newline between them runs.
      if (this.#escape === PASTE_START && this.bracketedPaste) this.#paste = true;
      else if (this.#escape === PASTE_END && this.#paste) this.#paste = false;
      else this.#uncertain = true;
      this.#escape = '';
      return;
    }
    if (byte === 0x1b) {
      this.#escape = '\x1b';
      return;
    }
    if (this.#paste) {
      // The line editor inserts a paste as it is: a ^U or ^C inside it is a character, not a kill.
      if (byte === 0x0d || byte === 0x0a) this.#append('\n');
      // A NUL cuts or vanishes from a line editor's buffer: the line is read from the screen.
      else if (byte === 0) this.#uncertain = true;
      else if (byte < 0x20 || byte === 0x7f) this.#append(String.fromCharCode(byte));
      else this.#printableByte(byte);
      return;
    }
    if (byte === 0x7f || byte === 0x08) {
      this.#text = Array.from(this.#text).slice(0, -1).join('');
      return;
    }
    if (byte === 0x15 || byte === 0x03) {
      // ^U kills the line; ^C abandons it, and with it a statement continued from earlier lines:
      // the host's line editor starts afresh, so whatever made the line uncertain is gone too.
      this.#text = '';
      if (byte === 0x03) {
        this.#abandoned = true;
        this.#uncertain = false;
      }
      return;
    }
    if (byte === 0x17) {
      this.#text = this.#text.replace(/\S*\s*$/, '');
      return;
    }
    if (EDITING_KEYS.has(byte)) {
      this.#uncertain = true;
      return;
    }
    if (byte < 0x20) return;
    this.#printableByte(byte);
  }

  #printableByte(byte: number): void {
    this.#utf8Needs =
      byte < 0x80
        ? 0
        : byte >= 0xc0
          ? byte >= 0xf0
            ? 3
            : byte >= 0xe0
              ? 2
              : 1
          : Math.max(0, this.#utf8Needs - 1);
    const ch = this.#decoder.decode(Uint8Array.of(byte), { stream: true });
    // Bytes that are not UTF-8 are Meta keys to a line editor reading 8-bit input (bash in the C
    // locale: 0xAE is M-., which yanks the last argument of the previous line): read from the screen.
    if (ch.includes('\uFFFD')) this.#uncertain = true;
    if (ch !== '') this.#append(ch);
  }

  #append(ch: string): void {
    if (this.#text.length + ch.length > this.#maxBytes) {
      this.#overflow = true;
      return;
    }
    this.#text += ch;
    if (ch >= ' ' && ch !== '\x7f') this.#printable = (this.#printable + ch).slice(-64);
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
