// Finds unlabelled key material and bare generated tokens in one pass over the text: maximal runs of
// base64/hex characters, joined across line breaks into blocks (PEM and OpenSSH bodies without their
// BEGIN line, echoed in part), each judged by token-shape.ts. Runs shorter than MIN_LABELLED are
// not judged, so they are not read either: the search reads one character per 16-character window
// where it can (longRunStart), which is what keeps the pass fast.
import { judgeToken, LOOK_BEHIND, MIN_LABELLED, type Verdict } from './token-shape.js';

/** Local copies: imported bindings are read through getters under some loaders. */
const MIN_TOKEN = MIN_LABELLED;
const LEADERS = '/-_+';
/** Characters after a run that its verdict may read (a file name after a digest). */
const AFTER = 16;

/** Characters of base64, base64url and hex tokens ('=' padding is added at a run's end). */
const TOKEN = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') {
  TOKEN[ch.charCodeAt(0)] = 1;
}
const BACKSLASH = 92;
const EQUALS = 61;
/** A line of a block other than its first and last is at least this long (PEM: 64, OpenSSH: 70). */
export const FULL_LINE = 40;
/** A run longer than this is judged in pieces of this length (bounds a stream's hold). */
export const MAX_PIECE = 65_536;
/** Lines of a block that close it: quotes, the END line of a PEM block. */
const CLOSERS = new Set(['"', "'", '`']);

const isToken = (c: number) => c < 128 && TOKEN[c] === 1;
/** Whether a character belongs to a token run (a stream never releases text inside one). */
export const isRunChar = isToken;

export interface RunCandidate {
  readonly start: number;
  readonly end: number;
  readonly secret: string;
  readonly verdict: Verdict;
}

/** Length of the JSON/C escape starting at a backslash at `i` (`\n`, `\u0041`), or 0. */
export function escapeLength(text: string, i: number): number {
  const next = text[i + 1];
  if (next === undefined) return 0;
  if ('nrtbf/'.includes(next)) return 2;
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return 6;
  return 0;
}

/** The end of the run of token characters from `i`, with up to two '=' of padding. */
export function runEnd(text: string, i: number): number {
  let e = i;
  const n = text.length;
  while (e < n && isToken(text.charCodeAt(e)) && e - i < MAX_PIECE) e++;
  let pad = e;
  while (pad < n && pad - e < 2 && text.charCodeAt(pad) === EQUALS) pad++;
  if (pad > e && (pad === n || !isToken(text.charCodeAt(pad)))) e = pad;
  return e;
}

/** After a run ending at `e`: the start of the next line (past a real or escaped line break and indentation), or -1. */
function nextLine(text: string, e: number): number {
  let j = e;
  if (text[j] === '\r') j++;
  if (text[j] === '\n') j++;
  else if (text.startsWith('\\n', j)) j += 2;
  else if (text.startsWith('\\r\\n', j)) j += 4;
  else return -1;
  while (text[j] === ' ' || text[j] === '\t') j++;
  // A quote or comment marker before each line (`> `, `# `, `// `, `-- `, ` * `) is not part of the
  // body. `-- ` is SQL's (with its space: `--` may begin a base64url line): a key pasted into a
  // statement's comment lines is one block, not lines judged alone; the line holding an RSA key's
  // `AQABAoIBA` passed as ordinary in about 2% of keys until 7 December.
  const marker = /^(?:(?:>|#|\/\/|\*)[ \t]*|--[ \t]+)/.exec(text.slice(j, j + 8));
  if (marker && isToken(text.charCodeAt(j + marker[0].length))) j += marker[0].length;
  return j;
}

/** Whether a run ending at `e` ends its line (a break, the text's end, a closing quote, an END line). */
function endsLine(text: string, e: number): boolean {
  if (e >= text.length) return true;
  const ch = text[e]!;
  return (
    ch === '\n' ||
    ch === '\r' ||
    text.startsWith('\\n', e) ||
    text.startsWith('\\r', e) ||
    CLOSERS.has(ch) ||
    text.startsWith('-----', e)
  );
}

/** Whether a run starting at `s` starts its line (after indentation, a quote or a `: `). */
export function startsLine(text: string, s: number): boolean {
  let j = s - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  if (j < 0) return true;
  const ch = text[j]!;
  return (
    ch === '\n' ||
    CLOSERS.has(ch) ||
    ch === ':' ||
    ch === '>' ||
    (ch === 'n' && text[j - 1] === '\\') ||
    ch === '|'
  );
}

/** Whether the run at `s` is a whole line of FULL_LINE or more token characters (a block's body line). */
function isBodyLine(text: string, s: number): boolean {
  const e = runEnd(text, s);
  return e - s >= FULL_LINE && startsLine(text, s) && endsLine(text, e);
}

export interface Block {
  readonly start: number;
  readonly end: number;
  readonly token: string;
  readonly lines: number;
}

/** The block whose first run is [s, e): later lines are joined while they are whole token lines. */
export function readBlock(text: string, s: number, e: number): Block {
  let token = text.slice(s, e);
  let end = e;
  let lines = 1;
  let lineLength = e - s;
  const firstWhole = lineLength >= FULL_LINE || startsLine(text, s);
  if (!firstWhole || !endsLine(text, e)) return { start: s, end, token, lines };
  while (lineLength >= FULL_LINE || lines === 1) {
    const j = nextLine(text, end);
    if (j < 0 || j >= text.length || !isToken(text.charCodeAt(j))) break;
    const e2 = runEnd(text, j);
    if (!endsLine(text, e2) || token.length + (e2 - j) > MAX_PIECE) break;
    lineLength = e2 - j;
    // A short first line joins only a full line after it.
    if (lines === 1 && e - s < FULL_LINE && lineLength < FULL_LINE) break;
    token += text.slice(j, e2);
    end = e2;
    lines++;
  }
  return { start: s, end, token, lines };
}

/**
 * Characters that can lie between the end of a block's first line and the start of the next line's
 * run (nextLine): line breaks, real and escaped, indentation and quote or comment markers.
 */
const GAP = new Uint8Array(128);
for (const ch of '\r\n\\rn \t>#*/') GAP[ch.charCodeAt(0)] = 1;

/**
 * The start of the first run of MIN_TOKEN or more token characters at or after `from` (a run that
 * `from` cuts starts at `from`), or -1. It reads the last character of each window of MIN_TOKEN:
 * a window that is not all token characters is left at its last non-token character, so prose is
 * read a fraction of a character at a time rather than every character.
 */
function longRunStart(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i + MIN_TOKEN <= n) {
    const last = i + MIN_TOKEN - 1;
    if (!isToken(text.charCodeAt(last))) {
      i = last + 1;
      continue;
    }
    let b = last - 1;
    while (b >= i && isToken(text.charCodeAt(b))) b--;
    if (b < i) return i;
    i = b + 1;
  }
  return -1;
}

export class TokenRunFinder {
  /** The rule ids in force (key-material, high-entropy-token): verdicts of others are dropped. */
  constructor(private readonly enabled: ReadonlySet<string>) {}

  /**
   * The first block at or after `pos` judged a secret, or null. Only runs of MIN_TOKEN or more are
   * judged, and a short run only as the first line of a block, which needs a full line after it: so
   * the long runs are searched for (longRunStart), and before each, the short run that may be the
   * first line of its block (in the gap of line breaks and indentation before it) is considered
   * first. Every other short run is one `considerRun` passes over, so skipping it changes nothing:
   * the test holds this to the character-by-character loop on random text.
   */
  next(text: string, pos: number): RunCandidate | null {
    const n = text.length;
    let from = pos;
    outer: for (;;) {
      const ls = longRunStart(text, from);
      if (ls < 0) return null;
      let w = ls;
      while (w > from && GAP[text.charCodeAt(w - 1)] === 1) w--;
      for (let k = Math.max(w, from + 1); k < ls; k++) {
        const ch = text.charCodeAt(k);
        if ((ch !== 10 && ch !== 13 && ch !== 92) || !isToken(text.charCodeAt(k - 1)) || k <= from) continue;
        let rs = k - 1;
        while (rs > from && isToken(text.charCodeAt(rs - 1))) rs--;
        const step = this.considerRun(text, rs, k);
        if (typeof step !== 'number') return step;
        if (step > ls) {
          from = step;
          continue outer;
        }
        from = Math.max(from, step);
      }
      let le = ls + MIN_TOKEN;
      while (le < n && isToken(text.charCodeAt(le))) le++;
      const step = this.considerRun(text, ls, le);
      if (typeof step !== 'number') return step;
      from = step;
    }
  }

  /**
   * Considers the maximal run of token characters [runStart, i): a secret, or where the search goes
   * on (a position inside a run starts a run there).
   */
  considerRun(text: string, runStart: number, i: number): RunCandidate | number {
    const n = text.length;
    const c = i < n ? text.charCodeAt(i) : 32;
    let s = runStart;
    // A short run matters only as the first line of a block: it must start its line and end at a break.
    if (i - s < MIN_TOKEN && ((c !== 10 && c !== 13 && c !== 92) || !startsLine(text, s))) return i;
    // `\n` and `\u0041` escapes are not part of a run.
    if (s > 0 && text.charCodeAt(s - 1) === BACKSLASH) {
      const esc = escapeLength(text, s - 1);
      if (esc > 1) s = Math.min(i, s - 1 + esc);
    }
    // Two or more slashes or dashes lead paths and flags (`//host`, `--opt`), not tokens; but a whole
    // line of token characters is a body line of a block (base64 lines can begin with `++` or `//`).
    if (
      (s === 0 || !isToken(text.charCodeAt(s - 1))) &&
      LEADERS.includes(text[s + 1] ?? ' ') &&
      LEADERS.includes(text[s]!) &&
      !isBodyLine(text, s)
    )
      while (s < i && LEADERS.includes(text[s]!)) s++;
    if (s >= i) return i;
    const e = runEnd(text, s);
    const block = readBlock(text, s, e);
    if (block.token.length >= MIN_TOKEN) {
      const before = text.slice(Math.max(0, block.start - LOOK_BEHIND), block.start);
      const verdict = judgeToken(block.token, before, block.lines, text.slice(block.end, block.end + AFTER));
      if (verdict !== null && this.enabled.has(verdict.ruleId)) {
        return { start: block.start, end: block.end, secret: block.token, verdict };
      }
    }
    // A run longer than MAX_PIECE: its next piece is judged on its own.
    if (block.lines === 1 && e < i) return e;
    // Go on after the block (or the run).
    return Math.max(i, block.lines > 1 ? block.end : e);
  }

  /**
   * Where text that a block still open at the end of `text` could cover begins (a stream holds it
   * back), or text.length. Never inside a run.
   */
  openStart(text: string, from: number): number {
    const n = text.length;
    // A long run ended less than AFTER characters ago: its verdict reads the text after it.
    let q = n;
    while (q > from && n - q < AFTER && !isToken(text.charCodeAt(q - 1))) q--;
    if (q < n && q > from && n - q < AFTER) {
      let r = q;
      while (r > from && isToken(text.charCodeAt(r - 1))) r--;
      if (q - r >= MIN_TOKEN) return Math.min(r, this.openEnd(text, from));
    }
    return this.openEnd(text, from);
  }

  private openEnd(text: string, from: number): number {
    const n = text.length;
    let k = n;
    let t = n;
    while (t > from && (text[t - 1] === ' ' || text[t - 1] === '\t')) t--;
    if (t < n) {
      // Blanks matter only as the indentation of a next line.
      const b = breakStart(text, t, from);
      if (b < 0) return n;
      k = b;
    } else if (text[n - 1] === '\\' || text[n - 1] === '\r') {
      k = n - 1; // a partial escape or line break
    } else {
      const b = breakStart(text, n, from);
      if (b >= 0) k = b;
    }
    let p = k;
    while (p > from && text[p - 1] === '=') p--;
    let s = p;
    while (s > from && isToken(text.charCodeAt(s - 1))) s--;
    if (s === p) return k;
    // A single run longer than a piece: the pieces before the last are decided.
    if (p - s > MAX_PIECE && p === n) {
      let t = s;
      if (t > 0 && text.charCodeAt(t - 1) === BACKSLASH)
        t = Math.min(n, t - 1 + Math.max(1, escapeLength(text, t - 1)));
      if (LEADERS.includes(text[t + 1] ?? ' ') && LEADERS.includes(text[t]!))
        while (t < n && LEADERS.includes(text[t]!)) t++;
      // The last piece stays held, with room for the '=' padding a piece may end with.
      const pieces = Math.floor((n - t - 3) / MAX_PIECE);
      if (pieces > 0) return t + pieces * MAX_PIECE;
    }
    // A run that begins with an escape letter (`\\nAbc`): the escape may be the line break of a block.
    let hold = s;
    if (s > from && text.charCodeAt(s - 1) === BACKSLASH) {
      hold = s - 1;
      const esc = escapeLength(text, s - 1);
      if (esc > 1) s = Math.min(n, s - 1 + esc);
    }
    // Walk back over earlier lines of the same block.
    for (;;) {
      let j = s;
      while (j > from && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
      if (j > from && (text[j - 1] === '>' || text[j - 1] === '#' || text[j - 1] === '*')) j--;
      else if (j > from + 1 && text[j - 1] === '/' && text[j - 2] === '/') j -= 2;
      while (j > from && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
      const b = breakStart(text, j, from);
      if (b < 0) break;
      let q = b;
      while (q > from && text[q - 1] === '=') q--;
      let r = q;
      while (r > from && isToken(text.charCodeAt(r - 1))) r--;
      // The line may begin with the letter of an escaped line break (`\\nAbc`).
      if (r > from && text.charCodeAt(r - 1) === BACKSLASH) {
        const esc = escapeLength(text, r - 1);
        if (esc > 1) r = Math.min(q, r - 1 + esc);
      }
      if (r >= q || b - r > MAX_PIECE) break;
      s = r;
    }
    return Math.min(s, hold);
  }
}

/** The start of a real or JSON-escaped line break ending at `e`, or -1. */
function breakStart(text: string, e: number, from: number): number {
  if (e - 1 >= from && text[e - 1] === '\n') return e - 2 >= from && text[e - 2] === '\r' ? e - 2 : e - 1;
  if (e - 2 >= from && text[e - 1] === 'n' && text[e - 2] === '\\') {
    return e - 4 >= from && text[e - 3] === 'r' && text[e - 4] === '\\' ? e - 4 : e - 2;
  }
  return -1;
}
