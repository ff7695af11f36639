// One shell word as the shell reads it after quote removal: `\rm`, `r''m`, `"r"m` and `$'\x72m'`
// all run `rm`. Quoting is not expansion: the shell's command name is fixed by the text, so a rule
// on `tools: [rm]` must see `rm` however it is quoted. What only running the line can tell
// (`$X`, `$(…)`, globs) is left as written: docs/ssh.md says a guard cannot see expansions. Pure.

const ANSI_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** The word with its quotes and backslashes removed, as the shell does before it runs a command. */
export function unquoteWord(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === '\\') {
      out += word[i + 1] ?? '';
      i += 2;
    } else if (ch === "'") {
      const end = word.indexOf("'", i + 1);
      const stop = end < 0 ? word.length : end;
      out += word.slice(i + 1, stop);
      i = stop + 1;
    } else if (ch === '$' && word[i + 1] === "'") {
      const { text, next } = ansiQuoted(word, i + 2);
      out += text;
      i = next;
    } else if (ch === '"' || (ch === '$' && word[i + 1] === '"')) {
      i += ch === '$' ? 2 : 1;
      while (i < word.length && word[i] !== '"') {
        // Inside double quotes a backslash escapes only these; elsewhere it stays.
        if (word[i] === '\\' && '$`"\\\n'.includes(word[i + 1] ?? '')) i++;
        out += word[i] ?? '';
        i++;
      }
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** The text of a `$'…'` string starting at `start` (after the quote), and where it ends. */
function ansiQuoted(word: string, start: number): { text: string; next: number } {
  let text = '';
  let i = start;
  while (i < word.length && word[i] !== "'") {
    if (word[i] !== '\\') {
      text += word[i++];
      continue;
    }
    const c = word[i + 1] ?? '';
    const hex = /^x([0-9a-fA-F]{1,2})/.exec(word.slice(i + 1));
    const octal = /^([0-7]{1,3})/.exec(word.slice(i + 1));
    const unicode = /^(?:u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8}))/.exec(word.slice(i + 1));
    if (hex) {
      text += String.fromCharCode(Number.parseInt(hex[1]!, 16));
      i += 1 + hex[0].length;
    } else if (octal) {
      text += String.fromCharCode(Number.parseInt(octal[1]!, 8) & 0xff);
      i += 1 + octal[0].length;
    } else if (unicode) {
      const code = Number.parseInt(unicode[1] ?? unicode[2]!, 16);
      text += code <= 0x10ffff ? String.fromCodePoint(code) : '';
      i += 1 + unicode[0].length;
    } else if (c === 'c' && i + 2 < word.length) {
      text += String.fromCharCode(word.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else {
      text += ANSI_ESCAPES[c] ?? `\\${c}`;
      i += 2;
    }
  }
  return { text, next: i + 1 };
}

/**
 * A simple command's words as the shell splits them (quotes kept: unquote each with unquoteWord),
 * or null when the text is more than one simple command with plain words: an unquoted `;`, `&`,
 * `|`, `<`, `>`, `(`, `)`, backquote or newline, or a quote left open.
 */
export function simpleCommandWords(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    if (';&|<>()`\n'.includes(ch)) return null;
    inWord = true;
    let end = i + 1;
    if (ch === '\\') end = i + 2;
    else if (ch === "'") end = text.indexOf("'", i + 1) + 1;
    else if (ch === '$' && text[i + 1] === "'") end = closingQuote(text, i + 2, "'");
    else if (ch === '"' || (ch === '$' && text[i + 1] === '"'))
      end = closingQuote(text, i + (ch === '$' ? 2 : 1), '"');
    if (end <= i || end > text.length) return null;
    word += text.slice(i, end);
    i = end;
  }
  if (inWord) words.push(word);
  return words;
}

/** Just past the quote that closes a string opened before `from` (a backslash escapes), or -1. */
function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return -1;
}

/**
 * A whitespace-delimited word cut where an unquoted redirection starts inside it: the shell ends a
 * word at `<`, `>` and `&>`, so `rm</dev/null` runs `rm` with its input redirected, and
 * `bash</dev/stdin` is bash reading the channel. Until 7 December such a word was read whole and
 * its last path part taken as the command's name (`null`, `stdin`): a rule on `tools: [rm]` never
 * saw the rm. Digits or `{name}` right before the operator are its file descriptor (`2>&1`), not
 * a word of their own. The pieces joined give the word back.
 */
export function splitRedirections(word: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < word.length) {
    const ch = word[i]!;
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === "'" || (ch === '$' && word[i + 1] === "'")) {
      i = ch === '$' ? closingOrEnd(word, i + 2, "'") : closingOrEnd(word, i + 1, "'", false);
      continue;
    }
    if (ch === '"' || (ch === '$' && word[i + 1] === '"')) {
      i = closingOrEnd(word, i + (ch === '$' ? 2 : 1), '"');
      continue;
    }
    const prev = word[i - 1] ?? '';
    const opens = (ch === '<' || ch === '>' || (ch === '&' && word[i + 1] === '>')) && !'<>&'.includes(prev);
    if (opens && i > start) {
      // `2>&1`, `{fd}>f`: the descriptor belongs to the redirection.
      if (!/^(?:\d+|\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(word.slice(start, i))) {
        pieces.push(word.slice(start, i));
        start = i;
      }
    }
    i++;
  }
  if (start < word.length) pieces.push(word.slice(start));
  return pieces;
}

/** Just past the quote closing a string that starts at `from`, or the word's end when it is left open. */
function closingOrEnd(word: string, from: number, quote: string, escapes = true): number {
  for (let i = from; i < word.length; i++) {
    if (escapes && word[i] === '\\') i++;
    else if (word[i] === quote) return i + 1;
  }
  return word.length;
}
