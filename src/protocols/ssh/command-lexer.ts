// A command line cut as the shell cuts it, for finding the files it writes (command-writes.ts):
// simple commands with their words (quotes kept), their redirections apart with each target, and
// the text of every command substitution (`$(…)`, backquotes, `<(…)`, `>(…)`) to be read in turn.
// Unlike simpleCommands (action-facts.ts), which splits at separators wherever they are, this one
// keeps quoted text whole (`echo "a > b"` redirects nothing) and skips here-document bodies (data,
// not commands). Erring toward reading more: an unclosed quote or substitution runs to the end of
// the text. Pure.

/** A redirection: its operator (`>`, `>>`, `>|`, `&>`, `&>>`, `<>`, `>&`, `<`, `<<`, `<<<`, `<&`) and target word. */
export interface Redirection {
  readonly operator: string;
  /** The target word as written (quotes kept), or '' when the line ends first. */
  readonly target: string;
}

export interface LexedCommand {
  /** The words of the simple command, redirections left out, quotes kept. */
  readonly words: string[];
  readonly redirections: Redirection[];
}

export interface LexedLine {
  readonly commands: LexedCommand[];
  /** The text inside each command or process substitution, to be lexed on its own. */
  readonly substitutions: string[];
}

const SEPARATORS = ';&|()\n';
const BLANKS = ' \t\r';

export function lexCommandLine(text: string): LexedLine {
  const commands: LexedCommand[] = [];
  const substitutions: string[] = [];
  let current: LexedCommand = { words: [], redirections: [] };
  const pendingDocuments: { delimiter: string; tabs: boolean }[] = [];
  const finish = () => {
    if (current.words.length > 0 || current.redirections.length > 0) commands.push(current);
    current = { words: [], redirections: [] };
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (BLANKS.includes(ch)) {
      i++;
    } else if (ch === '\\' && text[i + 1] === '\n') {
      i += 2;
    } else if (ch === '#') {
      // A comment at a word's start runs to the end of the line.
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '\n') {
      finish();
      i = skipHereDocuments(text, i + 1, pendingDocuments.splice(0));
    } else if ((ch === '<' || ch === '>') && text[i + 1] === '(') {
      // Process substitution: a command of its own, the word a path the shell makes.
      const end = closingParen(text, i + 1);
      substitutions.push(text.slice(i + 2, end));
      current.words.push(text.slice(i, end + 1));
      i = end + 1;
    } else if (ch === '<' || ch === '>' || (ch === '&' && text[i + 1] === '>')) {
      const operator = /^(?:&>>?|>>|>\||>&|>|<<<|<<-|<<|<>|<&|<)/.exec(text.slice(i))![0];
      i += operator.length;
      while (i < text.length && BLANKS.includes(text[i]!)) i++;
      const word = readWord(text, i, substitutions);
      i = word.end;
      current.redirections.push({ operator, target: word.raw });
      if (operator === '<<' || operator === '<<-')
        pendingDocuments.push({ delimiter: unquotedDelimiter(word.raw), tabs: operator === '<<-' });
    } else if (SEPARATORS.includes(ch)) {
      finish();
      i++;
    } else {
      const word = readWord(text, i, substitutions);
      i = word.end;
      // Digits or `{name}` right before a redirection are its file descriptor, not a word.
      if (/^(?:\d+|\{[A-Za-z_]\w*\})$/.test(word.raw) && /^[<>]/.test(text.slice(i))) continue;
      current.words.push(word.raw);
    }
  }
  finish();
  return { commands, substitutions };
}

/** One word from `start`: up to an unquoted blank or separator; substitutions' insides are collected. */
function readWord(text: string, start: number, substitutions: string[]): { raw: string; end: number } {
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (BLANKS.includes(ch) || SEPARATORS.includes(ch) || ch === '<' || ch === '>') break;
    if (ch === '\\') i += 2;
    else if (ch === "'") i = closing(text, i + 1, "'", false);
    else if (ch === '$' && text[i + 1] === "'") i = closing(text, i + 2, "'", true);
    else if (ch === '"') i = doubleQuoted(text, i + 1, substitutions);
    else if (ch === '$' && text[i + 1] === '(') {
      const end = closingParen(text, i + 1);
      if (!text.startsWith('$((', i)) substitutions.push(text.slice(i + 2, end));
      i = end + 1;
    } else if (ch === '$' && text[i + 1] === '{') i = closing(text, i + 2, '}', true);
    else if (ch === '`') {
      const end = closing(text, i + 1, '`', true);
      substitutions.push(text.slice(i + 1, end - 1));
      i = end;
    } else i++;
  }
  return { raw: text.slice(start, Math.min(i, text.length)), end: Math.min(i, text.length) };
}

/** Past the `"` closing a double-quoted string that starts at `from`; its substitutions are collected. */
function doubleQuoted(text: string, from: number, substitutions: string[]): number {
  let i = from;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\') i += 2;
    else if (text.startsWith('$(', i)) {
      const end = closingParen(text, i + 1);
      if (!text.startsWith('$((', i)) substitutions.push(text.slice(i + 2, end));
      i = end + 1;
    } else if (text[i] === '`') {
      const end = closing(text, i + 1, '`', true);
      substitutions.push(text.slice(i + 1, end - 1));
      i = end;
    } else i++;
  }
  return i + 1;
}

/** Just past `quote` from `from` (a backslash escapes when `escapes`), or the text's end. */
function closing(text: string, from: number, quote: string, escapes: boolean): number {
  for (let i = from; i < text.length; i++) {
    if (escapes && text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return text.length;
}

/** The index of the `)` matching the `(` at `open` (quotes inside skipped), or the text's end. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') i++;
    else if (ch === "'") i = closing(text, i + 1, "'", false) - 1;
    else if (ch === '"') i = closing(text, i + 1, '"', true) - 1;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return text.length;
}

function unquotedDelimiter(raw: string): string {
  return raw.replace(/\\(.)/g, '$1').replace(/['"]/g, '');
}

/** Past the bodies of the here-documents opened on the line just ended (each up to its delimiter line). */
function skipHereDocuments(
  text: string,
  from: number,
  documents: { delimiter: string; tabs: boolean }[],
): number {
  let i = from;
  for (const { delimiter, tabs } of documents) {
    while (i < text.length) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      const line = text.slice(i, stop);
      i = stop + 1;
      if ((tabs ? line.replace(/^\t+/, '') : line) === delimiter) break;
    }
  }
  return Math.min(i, text.length);
}
