// Whether a shell statement goes on past the end of its text, and the text as the shell reads its
// words. A shell that reads `touch /srv/forbidden-\` then `marker` runs `touch /srv/forbidden-marker`:
// judged line by line, neither line says so. The interactive guard and the stdin guard keep an open
// statement's earlier lines and judge each new line with them; policy reads the statement with its
// line continuations (backslash-newline) removed, as the shell's lexer does before it splits words.
// A best effort over shell syntax that errs towards "open" (judging more text, never less): quotes,
// backslashes, comments and a trailing `|`, `&&`, `||` are followed; here-documents and `$(` are not.

type Quote = 'none' | 'single' | 'double' | 'ansi';

interface Scan {
  /** The quote the text ends inside. */
  readonly quote: Quote;
  /** Whether the text ends with a backslash that escapes the newline after it. */
  readonly escapedEnd: boolean;
  /** The text with every backslash-newline the shell would remove taken out. */
  readonly joined: string;
  /** The text's shape for its operators: comments left out, quoted and escaped characters as `w`. */
  readonly shape: string;
}

function scan(text: string): Scan {
  let quote: Quote = 'none';
  let comment = false;
  let joined = '';
  let shape = '';
  // Unescaped `$` signs just before, outside quotes: an odd run makes a `'` after it start $'…'
  // (`$$'` is the shell's pid, then a plain quote; `\$'` is a dollar sign, then a plain quote).
  let dollars = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const dollarBefore = dollars % 2 === 1;
    dollars = ch === '$' && quote === 'none' ? dollars + 1 : 0;
    if (comment) {
      if (ch === '\n') {
        comment = false;
        shape += ch;
      }
      joined += ch;
      continue;
    }
    if (ch === '\\' && quote !== 'single') {
      if (i === text.length - 1) return { quote, escapedEnd: true, joined, shape };
      const next = text[i + 1]!;
      i++;
      // Backslash-newline is removed outside single quotes and $'…' (where it stays as written).
      if (next !== '\n' || quote === 'ansi') {
        joined += ch + next;
        shape += 'ww';
      }
      continue;
    }
    joined += ch;
    shape += quote === 'none' ? ch : 'w';
    if (quote === 'single' || quote === 'ansi') {
      if (ch === "'") quote = 'none';
    } else if (quote === 'double') {
      if (ch === '"') quote = 'none';
    } else if (ch === "'") {
      quote = dollarBefore ? 'ansi' : 'single';
    } else if (ch === '"') {
      quote = 'double';
    } else if (ch === '#' && (shape.length === 1 || /[\s;&|()]/.test(shape[shape.length - 2]!))) {
      comment = true;
      shape = shape.slice(0, -1);
    }
  }
  return { quote, escapedEnd: false, joined, shape };
}

/** Whether the shell would read on past the end of `text` for the same statement. */
export function statementOpen(text: string): boolean {
  const s = scan(text);
  if (s.escapedEnd || s.quote !== 'none') return true;
  // A pipeline or list that ends in its operator continues on the next line.
  const tail = s.shape.trimEnd();
  return /(^|[^|&])(\|\||&&|\|)$/.test(tail);
}

/** The text with the shell's line continuations (backslash-newline) removed. */
export function joinContinuations(text: string): string {
  if (!text.includes('\\')) return text;
  const s = scan(text);
  return s.escapedEnd ? `${s.joined}\\` : s.joined;
}

/**
 * The statement a shell holds after it reads `line`, given what it held before (`''` for none):
 * the earlier lines and this one, newline-separated, and whether it goes on.
 */
export function continueStatement(open: string, line: string): { statement: string; open: boolean } {
  const statement = open === '' ? line : `${open}\n${line}`;
  return { statement, open: statementOpen(statement) };
}
