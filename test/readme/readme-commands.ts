// The `vigil` commands a README shows (each backticked command of its CLI table, and each `vigil`
// invocation on a line of its shell examples) and those a page of docs/ shows (its examples and its
// backticked `vigil …`), as the words after `vigil` and the options written with them.

export interface DocumentedCommand {
  /** The lower-case words after `vigil`, up to the first option or placeholder (`policy test`). */
  readonly words: readonly string[];
  /** The options written with it, long (`--reason`) and short (`-o`). */
  readonly options: readonly string[];
  /** The text it was read from, for the failure message. */
  readonly source: string;
}

/** A word that may name a command (`replay`, `[list]`); `SESSION`, `<SESSION>`, `--x` end the words. */
const WORD = /^\[?([a-z][a-z-]*)\]?$/;
const OPTION = /(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])(?![\w-])/g;

function parse(text: string, source: string): DocumentedCommand | null {
  const tokens = text.trim().split(/\s+/);
  const words: string[] = [];
  for (const token of tokens) {
    const word = WORD.exec(token);
    if (!word) break;
    words.push(word[1]!);
  }
  if (words.length === 0) return null;
  // Options are read outside quoted values (`--reason "compare models"`).
  const rest = tokens
    .slice(words.length)
    .join(' ')
    .replace(/"[^"]*"|'[^']*'/g, '""');
  return { words, options: [...rest.matchAll(OPTION)].map((m) => m[1]!), source };
}

/** The first cell of each row of the `## CLI` table: its backticked commands, `vigil` or not. */
function tableCommands(readme: string): DocumentedCommand[] {
  const section = readme.split(/^## CLI$/m)[1]?.split(/^## /m)[0] ?? '';
  const found: DocumentedCommand[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cell = line.split(/(?<!\\)\|/)[1] ?? '';
    for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
      // `token list` after `vigil token create …` is written without its `vigil`.
      const text = code!.replace(/\\\|/g, '|').replace(/^vigil /, '');
      const parsed = parse(text, code!);
      if (parsed) found.push(parsed);
    }
  }
  return found;
}

/** Each `vigil …` on a line of a ```sh block, up to `&&`, `;`, `|` or a `#` comment. */
function exampleCommands(readme: string): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  for (const [, block] of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block!.split('\n')) {
      for (const part of line.replace(/(^|\s)#.*$/, '').split(/&&|;|\|/)) {
        const at = part.search(/(?:^|\s)(?:npx )?vigil /);
        if (at < 0) continue;
        const parsed = parse(part.slice(at).replace(/^\s*(?:npx )?vigil /, ''), line.trim());
        if (parsed) found.push(parsed);
      }
    }
  }
  return found;
}

export function documentedCommands(readme: string): DocumentedCommand[] {
  return [...tableCommands(readme), ...exampleCommands(readme)];
}

/** Backticked text that starts with `vigil` but names no command: a key-derivation label. */
const NOT_COMMANDS = new Set(['vigil sign-in state v1']);

/** The `vigil …` after the start of `text` or a space, up to `&&`, `;`, `|` or a `#` comment. */
function commandsIn(text: string, source: string): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  for (const part of text.replace(/(^|\s)#.*$/, '').split(/&&|;|\|/)) {
    const at = part.search(/(?:^|\s)(?:npx )?vigil /);
    if (at < 0) continue;
    const parsed = parse(part.slice(at).replace(/^\s*(?:npx )?vigil /, ''), source);
    if (parsed) found.push(parsed);
  }
  return found;
}

/**
 * The `vigil` commands a page of docs/ shows: each line of its shell and console examples (```sh
 * blocks, and blocks without a language, where `$ vigil …` is a typed command) and each backticked
 * `vigil …` in its prose.
 */
export function docCommands(markdown: string, file: string): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  // Read line by line: a fence closes only the block it opened, so a yaml block's closing fence is
  // never taken for the opening of a shell one.
  let block: string | null = null;
  for (const line of markdown.split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      block = block === null ? fence[1]! : null;
      continue;
    }
    if (block === null) {
      for (const [, code] of line.matchAll(/`((?:npx )?vigil [^`]+)`/g)) {
        const text = code!.replace(/\\\|/g, '|');
        if (!NOT_COMMANDS.has(text)) found.push(...commandsIn(text, `${file}: ${code}`));
      }
    } else if (['', 'sh', 'bash', 'console'].includes(block)) {
      found.push(...commandsIn(line, `${file}: ${line.trim()}`));
    }
  }
  return found;
}
