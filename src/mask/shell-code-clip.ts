// A text rule's match in a shell command never runs into code. The private-key rule takes a header
// and then any run of base64-like characters, spaces and line breaks, so a header echoed or written
// in a comment took the next line with it: `echo ok # -----BEGIN PRIVATE KEY-----⏎rm -rf /tmp/data`
// was recorded, and shown to the reviewer of a held command, with the `rm` inside the mask. And a
// secret option's or variable's value is a word the shell expands: `echo password=x$(rm -rf
// /tmp/data)` ran the `rm` while the record and the reviewer read `echo password=[MASKED:…]`.
// Here are the points where the shell reads code again:
// - after a line break: the start of the line after an unquoted newline, and a backslash that
//   continues a command on the next line (the words there are code too; a key's base64 line never
//   ends with a backslash). A newline inside a quoted string or a here-document's body is data;
// - a command or process substitution's opening (`$(`, a backtick, `<(`, `>(`) where the shell
//   runs it: in code, in double quotes, and in an unquoted here-document's body (`<<EOF`);
// - a whole substitution inside single quotes (`bash -c 'echo password=x$(rm …)'`): this shell
//   reads it as data, the shell it is handed to runs it. A lone backtick or `$(` there stays data,
//   so a password holding one is masked whole.
// A secret's text holds no code, so it ends before any of them. Each point is an empty span, so
// clipToCode (sql-code-clip.ts) cuts a match before it, and clipSpansToCode a secret's own span.

import { endsHereDocument, hereDocumentOperators } from './shell-heredoc.js';
import { type CodeSpan, cutBeforeCode } from './sql-code-clip.js';

/** What is being read: code (top level, `$(…)`, `${…}`, backticks) or a quoted string. */
type Frame = 'code' | 'sub' | 'brace' | 'tick' | 'double' | 'ansi';

/**
 * The points (empty spans, in order) where a command's code resumes after a line break in `text`.
 * One pass: each character is read once by the lexer, each command line once by the here-document
 * reader (hereDocumentOperators), each body line once by endsHereDocument.
 */
export function shellCodeBreaks(text: string): CodeSpan[] {
  const out: CodeSpan[] = [];
  const point = (at: number) => out.push({ start: at, end: at });
  const n = text.length;
  const stack: Frame[] = ['code'];
  /** Parens open in each `$(…)` frame on the stack, innermost last. */
  const depths: number[] = [];
  /**
   * Where the command text not yet read for here-document operators begins, and the frames open
   * there. A frame opened before it and closed after it moves it past the closing character: the
   * operator reader reads a line from code, and `)" <<EOF` after a `"$(` of several lines read as
   * an opening quote would hide the here-document (its body lines cut apart as code).
   */
  let scanFrom = 0;
  let floor = 1;
  let i = 0;
  const pop = () => {
    stack.pop();
    if (stack.length < floor) {
      floor = stack.length;
      scanFrom = i + 1;
    }
  };
  while (i < n) {
    const ch = text[i]!;
    const top = stack[stack.length - 1]!;
    if (top === 'double' || top === 'ansi') {
      if (ch === '\\') i += 2;
      else if ((ch === '"' && top === 'double') || (ch === "'" && top === 'ansi')) {
        pop();
        i++;
      } else if (top === 'double' && opensInner(text, i, stack, depths, point)) i += ch === '`' ? 1 : 2;
      else i++;
      continue;
    }
    // Code.
    if (ch === '\\') {
      if (text[i + 1] === '\n') point(i);
      i += 2;
    } else if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      innerSubstitutions(text, i + 1, close < 0 ? n : close, point);
      i = close < 0 ? n : close + 1;
    } else if (ch === '"') {
      stack.push('double');
      i++;
    } else if (ch === '$' && text[i + 1] === "'") {
      stack.push('ansi');
      i += 2;
    } else if (ch === '#' && startsWord(text, i)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (top === 'tick' && ch === '`') {
      pop();
      i++;
    } else if (top === 'sub' && ch === '(') {
      depths[depths.length - 1]!++;
      i++;
    } else if (top === 'sub' && ch === ')') {
      if (--depths[depths.length - 1]! === 0) {
        depths.pop();
        pop();
      }
      i++;
    } else if (top === 'brace' && ch === '}') {
      pop();
      i++;
    } else if ((ch === '<' || ch === '>') && text[i + 1] === '(') {
      // Process substitution: `<(cmd)`, `>(cmd)`.
      point(i);
      stack.push('sub');
      depths.push(1);
      i += 2;
    } else if (opensInner(text, i, stack, depths, point)) i += ch === '`' ? 1 : 2;
    else if (ch === '\n') {
      i = afterNewline(text, i, scanFrom, point);
      scanFrom = i;
      floor = stack.length;
    } else i++;
  }
  return out;
}

/** Pushes the frame of a `$(`, `${` or backtick at `i`, if one opens there (a substitution is a point). */
function opensInner(
  text: string,
  i: number,
  stack: Frame[],
  depths: number[],
  point: (at: number) => void,
): boolean {
  const ch = text[i]!;
  if (ch === '`') {
    point(i);
    stack.push('tick');
    return true;
  }
  if (ch !== '$') return false;
  const next = text[i + 1];
  if (next === '(') {
    point(i);
    stack.push('sub');
    depths.push(1);
    return true;
  }
  if (next === '{') {
    stack.push('brace');
    return true;
  }
  return false;
}

/** A `#` starts a comment at a word's start only (`a#b` is one word). */
function startsWord(text: string, i: number): boolean {
  return i === 0 || /[\s;|&()]/.test(text[i - 1]!);
}

/**
 * An unquoted newline at `nl`: the bodies of the here-documents the command lines before it opened
 * are data (their terminator lines, and the line after the last, are points); else the next line
 * is. Returns where reading goes on.
 */
function afterNewline(text: string, nl: number, scanFrom: number, point: (at: number) => void): number {
  const ops = hereDocumentOperators(text.slice(scanFrom, nl));
  let at = nl + 1;
  for (const op of ops) {
    while (at <= text.length) {
      const end = text.indexOf('\n', at);
      const lineEnd = end < 0 ? text.length : end;
      if (endsHereDocument(text.slice(at, lineEnd), op)) {
        point(at);
        at = lineEnd + 1;
        break;
      }
      if (op.expands) bodySubstitutions(text, at, lineEnd, point);
      // A body without its terminator runs to the end of the text.
      at = lineEnd + 1;
    }
  }
  if (at <= text.length) point(at);
  return at;
}

/**
 * The openings of substitutions in an expanded here-document's body line [from, to): a backslash
 * quotes the next character there, and nothing else does.
 */
function bodySubstitutions(text: string, from: number, to: number, point: (at: number) => void): void {
  for (let i = from; i < to; i++) {
    const ch = text[i]!;
    if (ch === '\\') i++;
    else if (ch === '`' || (ch === '$' && text[i + 1] === '(')) point(i);
  }
}

/**
 * The openings of whole substitutions inside a single-quoted string [from, to): a backtick with a
 * closing one after it, a `$(`, `<(` or `>(` with its `)`. One pass; an unclosed opener is data.
 */
function innerSubstitutions(text: string, from: number, to: number, point: (at: number) => void): void {
  const lastTick = lastIn(text, '`', from, to);
  const lastParen = lastIn(text, ')', from, to);
  for (let i = from; i < to; i++) {
    const ch = text[i]!;
    if (ch === '`' && lastTick > i) {
      point(i);
      i = text.indexOf('`', i + 1);
    } else if ((ch === '$' || ch === '<' || ch === '>') && text[i + 1] === '(' && lastParen > i) point(i);
  }
}

/** The last `ch` in [from, to), or -1; reads no further back than `from`. */
function lastIn(text: string, ch: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (text[i] === ch) return i;
  return -1;
}

/** Structure's own spans (a secret option's value) cut as clipToCode cuts a rule's match. */
export function clipSpansToCode<S extends { readonly start: number; readonly end: number }>(
  text: string,
  spans: readonly S[],
  code: readonly CodeSpan[],
): S[] {
  return cutBeforeCode(text, spans, code, (s, end) => ({ ...s, end }));
}
