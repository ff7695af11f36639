// A password a here-document feeds to a command that reads it from standard input:
//
//   docker login --password-stdin -u bob reg <<EOF
//   the password
//   EOF
//
// shell-positional.ts finds a password piped in on the same line (`echo … | docker login
// --password-stdin`, `<<< …`); a here-document's body comes on the lines after the one that opens
// it, so it is read here, line by line: an exec command of several lines, a shell text a masker
// reads. Each body line of a here-document redirected into such a command (or into a pipe that
// ends in one: `cat <<EOF | docker login --password-stdin`) is masked whole, up to the terminator.
// A body with no terminator runs to the end of the text, and is masked to the end: the shell would
// read it so too. Body lines of other commands (`cat > f <<EOF`) stay as written: the other
// readers (.netrc, .pgpass lines) look at them.
import type { ShellSecretSpan } from './shell-line.js';
import { type ShellWord, stdinReadersAt } from './shell-positional.js';

export interface HereDocumentOperator {
  /** The word that ends the body, quotes and backslashes removed (`<<'EOF'` ends at `EOF`). */
  readonly terminator: string;
  /** `<<-`: leading tabs of body lines, and of the terminator line, are removed. */
  readonly stripTabs: boolean;
  /** Offset of the `<<` in the line. */
  readonly at: number;
  /**
   * Whether the body is expanded: no quote or backslash in the word. Then a `$(…)` or backtick in
   * a body line runs as a command (`cat <<EOF⏎$(rm -rf /tmp/data)⏎EOF`).
   */
  readonly expands: boolean;
}

const WORD_END = /[\s;|&<>()]/;

/**
 * The here-document operators of one line, in order (the shell reads their bodies in that order):
 * `<<EOF`, `<<-EOF`, `<<'EOF'`, `<< "EOF"`, `<<\EOF`. Not `<<<` (a here-string), nor `<<` inside
 * quotes, after a `#` that starts a comment, or in an arithmetic or parameter expansion
 * (`$((1<<EOF))`, `(( x <<= 2 ))`, `$[1<<2]`, `${x:-<<EOF}`): there the shell opens no
 * here-document, and a terminal's guard that took one for open would record the commands typed
 * next as a password's lines, masked (until 6 December, `$((1<<EOF))` was read as one).
 */
export function hereDocumentOperators(line: string): HereDocumentOperator[] {
  const out: HereDocumentOperator[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const ch = line[i]!;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < n && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '#' && (i === 0 || /[\s;|&()]/.test(line[i - 1]!))) break;
    const expansion = expansionEnd(line, i);
    if (expansion > i) {
      i = expansion;
      continue;
    }
    if (ch !== '<' || line[i + 1] !== '<') {
      i++;
      continue;
    }
    if (line[i + 2] === '<') {
      i += 3;
      continue;
    }
    const at = i;
    let j = i + 2;
    const stripTabs = line[j] === '-';
    if (stripTabs) j++;
    while (j < n && (line[j] === ' ' || line[j] === '\t')) j++;
    let terminator = '';
    let expands = true;
    while (j < n && !WORD_END.test(line[j]!)) {
      const c = line[j]!;
      if (c === "'" || c === '"' || c === '\\') expands = false;
      if (c === "'" || c === '"') {
        const close = line.indexOf(c, j + 1);
        const end = close < 0 ? n : close;
        terminator += line.slice(j + 1, end);
        j = close < 0 ? n : close + 1;
      } else if (c === '\\' && j + 1 < n) {
        terminator += line[j + 1]!;
        j += 2;
      } else {
        terminator += c;
        j++;
      }
    }
    if (terminator !== '') out.push({ terminator, stripTabs, at, expands });
    i = Math.max(j, i + 2);
  }
  return out;
}

/** Openers of the expansions no here-document is read in, and the bracket each closes with. */
const EXPANSIONS: readonly (readonly [string, string, string])[] = [
  ['$((', '(', ')'],
  ['((', '(', ')'],
  ['$[', '[', ']'],
  ['${', '{', '}'],
];

/**
 * Where the arithmetic or parameter expansion that starts at `i` ends (past its closing bracket,
 * nesting counted; the line's end when unclosed), or -1 when none starts there.
 */
function expansionEnd(line: string, i: number): number {
  const found = EXPANSIONS.find(([start]) => line.startsWith(start, i));
  if (found === undefined) return -1;
  const [start, open, close] = found;
  let depth = start.split(open).length - 1;
  for (let j = i + start.length; j < line.length; j++) {
    const c = line[j]!;
    if (c === '\\') j++;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return line.length;
}

/** A CSI escape sequence (colour, cursor, bracketed paste mode): terminal text holds them. */
const CSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Whether a body line ends the here-document. In terminal text (a recorded echo) the shell's
 * continuation prompt stands before it (`> EOF`, with escape sequences around): read as the end
 * too, or the rest of a recording would be masked. A body line that is literally `> EOF` is no
 * password, so ending there early costs nothing.
 */
export function endsHereDocument(
  line: string,
  op: Pick<HereDocumentOperator, 'terminator' | 'stripTabs'>,
): boolean {
  let l = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (op.stripTabs) l = l.replace(/^\t+/, '');
  if (l === op.terminator) return true;
  const bare = l.replace(CSI, '').trim();
  return bare === `> ${op.terminator}` || bare === `>${op.terminator}`;
}

/** Whether a line ends with a backslash escaping its newline: the command goes on on the next line. */
function escapedEnd(line: string): boolean {
  let n = 0;
  while (n < line.length && line[line.length - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

interface Pending {
  readonly terminator: string;
  readonly stripTabs: boolean;
  /** The command reading a secret from the body, or null: the body is not masked. */
  readonly reader: string | null;
}

/**
 * The body lines of here-documents fed to a command that reads a password from standard input, in
 * `text` (offsets into it). `wordsOf` splits a command into words (shell-line.ts).
 */
export function hereDocumentSpans(
  text: string,
  wordsOf: (command: string) => readonly ShellWord[],
): ShellSecretSpan[] {
  if (!text.includes('<<')) return [];
  const out: ShellSecretSpan[] = [];
  const pending: Pending[] = [];
  /** The here-document whose body is read now: pending[head] (the ones before it have ended). */
  let head = 0;
  let start = 0;
  // Where the command the line belongs to begins: an earlier line if it ended with a backslash
  // (`docker login --password-stdin \` then `-u bob reg <<EOF`).
  let logical = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(start, end);
    const body = pending[head];
    if (body !== undefined) {
      if (endsHereDocument(line, body)) head++;
      else if (body.reader !== null) {
        const content = line.endsWith('\r') ? line.slice(0, -1) : line;
        const lead = /^\s*/.exec(content)![0].length;
        if (content.length > lead)
          out.push({
            start: start + lead,
            end: start + content.length,
            name: `${body.reader} <<${body.terminator}`,
          });
      }
    } else {
      const ops = hereDocumentOperators(line);
      // The command's own words, split afresh: the text's words may run across lines (a quote
      // opened in an earlier body line), which the shell did not read as words at all.
      if (ops.length > 0) {
        const readers = stdinReadersAt(
          wordsOf(text.slice(logical, end)),
          ops.map((op) => start - logical + op.at),
        );
        for (const [k, op] of ops.entries())
          pending.push({ terminator: op.terminator, stripTabs: op.stripTabs, reader: readers[k]! });
      }
    }
    if (body !== undefined || !escapedEnd(line)) logical = nl + 1;
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}
