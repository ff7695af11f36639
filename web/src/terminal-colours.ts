// A recording is read back by an auditor to learn what ran, not to see the screen as its colours
// made it look. A host (or the user, in a prompt or a `printf`) can print text in the colour of
// what is behind it: black on black (`ESC[30;40m`), the player's own background as a 24-bit colour
// (`ESC[38;2;18;19;20m`), an inverse of two equal colours, faint dark grey, or blinking text that a
// paused player draws in its blank phase. The player drew all of it, in the DOM, where no auditor
// could see it: a command's output, or a command echoed on the screen, was on the replay and yet
// out of sight. Before the player is handed the recording, every SGR sequence (`CSI … m`) is
// rewritten as the whole pen it leaves (`CSI 0;… m`), with blink and conceal dropped, faint dropped
// when it would make the text hard to see, and both colours back to the defaults whenever the
// text's colour would be too close to its background's. Writing the whole pen each time means the
// emulator's pen is always one this file judged, whatever came between (a restored cursor, a reset).
// The recording itself, the export and the timeline keep every sequence as it came.
import { rewriteCastFrames } from './cast-frames.js';

/** A cell colour as the player's emulator holds it. */
type Colour = { readonly kind: 'default' } | { readonly kind: 'index'; readonly n: number } | Rgb;
type Rgb = { readonly kind: 'rgb'; readonly r: number; readonly g: number; readonly b: number };

interface Pen {
  fg: Colour;
  bg: Colour;
  bold: boolean;
  faint: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  strike: boolean;
}

const DEFAULT: Colour = { kind: 'default' };
const rgb = (hex: number): Rgb => ({ kind: 'rgb', r: hex >> 16, g: (hex >> 8) & 0xff, b: hex & 0xff });

/**
 * The player's theme (`asciinema`, which TerminalTab.tsx asks for by name: a recording's header
 * cannot choose another): its default colours and its 16 colours.
 */
export const PLAYER_THEME = 'asciinema';
const THEME_FG = rgb(0xcccccc);
const THEME_BG = rgb(0x121314);
const THEME_16 = [
  0x000000, 0xdd3c69, 0x4ebf22, 0xddaf3c, 0x26b0d7, 0xb954e1, 0x54e1b9, 0xd9d9d9, 0x4d4d4d, 0xdd3c69,
  0x4ebf22, 0xddaf3c, 0x26b0d7, 0xb954e1, 0x54e1b9, 0xffffff,
].map(rgb);
const CUBE = [0, 95, 135, 175, 215, 255];

/** The 256-colour palette as xterm (and the player) lays it out past the theme's 16. */
function indexed(n: number): Rgb {
  if (n < 16) return THEME_16[n]!;
  if (n >= 232) {
    const v = 8 + 10 * (n - 232);
    return { kind: 'rgb', r: v, g: v, b: v };
  }
  const i = n - 16;
  return { kind: 'rgb', r: CUBE[Math.floor(i / 36)]!, g: CUBE[Math.floor(i / 6) % 6]!, b: CUBE[i % 6]! };
}

function resolve(colour: Colour, fallback: Rgb): Rgb {
  return colour.kind === 'default' ? fallback : colour.kind === 'index' ? indexed(colour.n) : colour;
}

function luminance({ r, g, b }: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG's contrast ratio, 1 (the same colour) to 21 (black on white). */
function contrast(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/**
 * Below this the text is out of an auditor's sight. The theme's dim grey (colour 8, used by shells
 * for suggestions and comments) on its background is 2.2, and stays as it is.
 */
export const MIN_CONTRAST = 2;

/** What the pen draws text in, and on: inverse swaps them; faint mixes the text halfway to the background. */
function drawn(pen: Pen, faint: boolean): { text: Rgb; back: Rgb } {
  const fg = resolve(pen.fg, THEME_FG);
  const bg = resolve(pen.bg, THEME_BG);
  const [text, back] = pen.inverse ? [bg, fg] : [fg, bg];
  if (!faint) return { text, back };
  const mix = (a: number, b: number) => Math.round((a + b) / 2);
  return {
    text: { kind: 'rgb', r: mix(text.r, back.r), g: mix(text.g, back.g), b: mix(text.b, back.b) },
    back,
  };
}

function freshPen(): Pen {
  return {
    fg: DEFAULT,
    bg: DEFAULT,
    bold: false,
    faint: false,
    italic: false,
    underline: false,
    inverse: false,
    strike: false,
  };
}

/** `38;5;n`, `38;2;r;g;b` and their colon forms (`38:2::r:g:b`): the colour, and how many fields it took. */
function extendedColour(
  fields: readonly (readonly number[])[],
  at: number,
): { colour: Colour; used: number } | null {
  const head = fields[at]!;
  const byte = (v: number | undefined) => (v !== undefined && v >= 0 && v <= 255 ? v : null);
  if (head.length > 1) {
    // Colon form, all in one field: 38:5:n, 38:2:r:g:b or 38:2:space:r:g:b.
    if (head[1] === 5) {
      const n = byte(head[2]);
      return n === null ? null : { colour: { kind: 'index', n }, used: 1 };
    }
    if (head[1] === 2) {
      const v = head.length >= 6 ? head.slice(3, 6) : head.slice(2, 5);
      const [r, g, b] = v.map(byte);
      return r == null || g == null || b == null ? null : { colour: { kind: 'rgb', r, g, b }, used: 1 };
    }
    return null;
  }
  const kind = fields[at + 1]?.[0];
  if (kind === 5) {
    const n = byte(fields[at + 2]?.[0]);
    return n === null ? null : { colour: { kind: 'index', n }, used: 3 };
  }
  if (kind === 2) {
    const [r, g, b] = [3, 4, 5].map((k) => byte(fields[at + k - 1]?.[0]));
    return r == null || g == null || b == null ? null : { colour: { kind: 'rgb', r, g, b }, used: 5 };
  }
  return null;
}

/**
 * The pen after an SGR's parameters. Anything this reading cannot follow (an unknown extended
 * colour) resets the pen, as the safe reading: the whole pen is written out after it anyway.
 */
function applySgr(pen: Pen, params: string): Pen {
  const fields = (params === '' ? '0' : params)
    .split(';')
    .map((f) => f.split(':').map((d) => (d === '' ? 0 : Number(d))));
  let next = { ...pen };
  for (let i = 0; i < fields.length; i++) {
    const code = fields[i]![0]!;
    if (code === 38 || code === 48) {
      const ext = extendedColour(fields, i);
      if (!ext) return freshPen();
      if (code === 38) next.fg = ext.colour;
      else next.bg = ext.colour;
      i += ext.used - 1;
    } else if (code === 0) next = freshPen();
    else if (code === 1) next.bold = true;
    else if (code === 2) next.faint = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = fields[i]![1] !== 0;
    else if (code === 7) next.inverse = true;
    else if (code === 9) next.strike = true;
    else if (code === 21 || code === 22) [next.bold, next.faint] = [false, false];
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code === 27) next.inverse = false;
    else if (code === 29) next.strike = false;
    else if (code >= 30 && code <= 37) next.fg = { kind: 'index', n: code - 30 };
    else if (code === 39) next.fg = DEFAULT;
    else if (code >= 40 && code <= 47) next.bg = { kind: 'index', n: code - 40 };
    else if (code === 49) next.bg = DEFAULT;
    else if (code >= 90 && code <= 97) next.fg = { kind: 'index', n: code - 90 + 8 };
    else if (code >= 100 && code <= 107) next.bg = { kind: 'index', n: code - 100 + 8 };
    // Blink (5, 6), conceal (8) and the rest are not kept: nothing is drawn out of sight.
  }
  // Text the auditor could not see is drawn in the default colours instead.
  if (contrast(drawn(next, false).text, drawn(next, false).back) < MIN_CONTRAST) {
    [next.fg, next.bg, next.inverse] = [DEFAULT, DEFAULT, false];
  }
  if (next.faint && contrast(drawn(next, true).text, drawn(next, true).back) < MIN_CONTRAST)
    next.faint = false;
  return next;
}

function colourParams(colour: Colour, base: 30 | 40): string {
  if (colour.kind === 'default') return '';
  if (colour.kind === 'rgb') return `;${base + 8};2;${colour.r};${colour.g};${colour.b}`;
  if (colour.n < 8) return `;${base + colour.n}`;
  if (colour.n < 16) return `;${base + 60 + colour.n - 8}`;
  return `;${base + 8};5;${colour.n}`;
}

/** The whole pen as one SGR: a reset, then each attribute and colour it holds. */
function penSgr(pen: Pen): string {
  const flags = [
    pen.bold ? ';1' : '',
    pen.faint ? ';2' : '',
    pen.italic ? ';3' : '',
    pen.underline ? ';4' : '',
    pen.inverse ? ';7' : '',
    pen.strike ? ';9' : '',
  ];
  return `\u001b[0${flags.join('')}${colourParams(pen.fg, 30)}${colourParams(pen.bg, 40)}m`;
}

/**
 * Reads output as a terminal's parser reads control sequences, across frames: a sequence split
 * between two frames is held back and written with the frame that ends it.
 */
export class ColourReader {
  private pen = freshPen();
  /** An escape or control sequence begun and not yet ended. */
  private held = '';

  filter(data: string): string {
    let out = '';
    let from = 0;
    const text = this.held + data;
    this.held = '';
    for (let i = 0; i < text.length; ) {
      const c = text.charCodeAt(i);
      const csiStart = c === 0x1b && text.charCodeAt(i + 1) === 0x5b ? 2 : c === 0x9b ? 1 : 0;
      if (c === 0x1b && i + 1 === text.length) {
        // ESC at the end of a frame: what it starts is in the next one.
        out += text.slice(from, i);
        this.held = text.slice(i);
        return out;
      }
      if (csiStart === 0) {
        i++;
        continue;
      }
      const end = csiEnd(text, i + csiStart);
      if (end === 'open') {
        out += text.slice(from, i);
        this.held = text.slice(i);
        return out;
      }
      if (end === 'aborted') {
        // Cancelled by ESC, CAN or SUB: the emulator drew nothing of it; read on from there.
        i += csiStart;
        continue;
      }
      const body = text.slice(i + csiStart, end);
      if (text.charCodeAt(end) === 0x6d && /^[0-9:;]*$/.test(body)) {
        this.pen = applySgr(this.pen, body);
        out += text.slice(from, i) + penSgr(this.pen);
        from = end + 1;
      }
      i = end + 1;
    }
    return out + text.slice(from);
  }
}

/** Where the CSI whose parameters start at `at` ends (its final byte), or why it has not. */
function csiEnd(text: string, at: number): number | 'open' | 'aborted' {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i;
    if (c === 0x1b || c === 0x18 || c === 0x1a) return 'aborted';
  }
  return 'open';
}

/** The asciicast text with every SGR of its output rewritten as above; still valid asciicast. */
export function withVisibleColours(cast: string): string {
  const output = new ColourReader();
  return rewriteCastFrames(cast, (kind, data) => (kind === 'o' ? output.filter(data) : null));
}
