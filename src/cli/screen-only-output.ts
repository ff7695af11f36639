// What `vigil replay` lets through to the reviewer's terminal from a recorded host's output: what
// acts on the screen (text, C0 controls, CSI and other short escape sequences), never the control
// strings that act outside it: OSC (window titles, clipboard writes with OSC 52, hyperlinks), DCS
// (terminal state requests), APC, PM and SOS, and screen's and tmux's window name (ESC k). Both
// spellings are dropped: 7-bit (ESC ], ESC P, ESC _, ESC ^, ESC X) and 8-bit (U+009D, U+0090,
// U+009F, U+009E, U+0098), which xterm obeys in UTF-8 too.
//
// A filter, not a pattern per frame: the host's output reaches the recording in the chunks it was
// read in, and whoever drives the host chooses them (`printf '\e'; sleep 1; printf ']52;c;…\a'`), so
// an introducer split from its string, or a string split from its terminator, must still be caught.
// The state is carried from one push to the next. The other C1 controls (8-bit CSI and the like) are
// dropped: a UTF-8 host has no reason to send them, and a terminal may obey them.

const ESC = '\x1b';
const BEL = '\x07';
const DEL = '\x7f';
/**
 * After ESC, these open a control string (OSC, DCS, APC, PM, SOS), and `k` the window name GNU
 * screen and tmux take up to the same terminators.
 */
const STRING_AFTER_ESC = new Set([']', 'P', '_', '^', 'X', 'k']);
/** 8-bit ST, which also ends a control string. */
const ST_8BIT = '\u009c';
/** CAN and SUB abort a sequence in progress. */
const ABORT = new Set(['\x18', '\x1a']);

type State = 'ground' | 'escape' | 'string' | 'string-escape';

export class ScreenOnlyOutput {
  #state: State = 'ground';

  /** The part of `data` that may reach the terminal, given everything pushed before it. */
  push(data: string): string {
    let out = '';
    for (const char of data) {
      switch (this.#state) {
        case 'ground':
          if (char === ESC) this.#state = 'escape';
          else if (isC1(char)) {
            if (opensString8bit(char)) this.#state = 'string';
          } else out += char;
          break;
        case 'escape':
          // What a terminal does after ESC decides: a C0 control is carried out without ending the
          // escape (ESC CR ] still opens an OSC), so it is written and ESC stays held; a second ESC
          // starts the escape again; CAN and SUB cancel it. An ESC is written only with the
          // character that ends it, never alone, so no later character can complete it.
          if (STRING_AFTER_ESC.has(char)) this.#state = 'string';
          else if (char === ESC) this.#state = 'escape';
          else if (ABORT.has(char)) this.#state = 'ground';
          else if (isC0(char)) out += char;
          else if (char === DEL) this.#state = 'escape';
          else if (isC1(char)) this.#state = opensString8bit(char) ? 'string' : 'ground';
          else {
            out += ESC + char;
            this.#state = 'ground';
          }
          break;
        case 'string':
          if (char === BEL || char === ST_8BIT || ABORT.has(char)) this.#state = 'ground';
          else if (char === ESC) this.#state = 'string-escape';
          break;
        case 'string-escape':
          // ESC \ is the terminator; any other ESC ends the string and begins a sequence of its own,
          // which is judged like any other.
          if (char === '\\') this.#state = 'ground';
          else {
            this.#state = 'escape';
            out += this.push(char);
          }
          break;
      }
    }
    return out;
  }
}

function isC0(char: string): boolean {
  return char.charCodeAt(0) < 0x20;
}

function isC1(char: string): boolean {
  const cp = char.codePointAt(0)!;
  return cp >= 0x80 && cp <= 0x9f;
}

function opensString8bit(char: string): boolean {
  return (
    char === '\u009d' || char === '\u0090' || char === '\u009f' || char === '\u009e' || char === '\u0098'
  );
}
