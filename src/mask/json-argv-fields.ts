// A command's words written as a JSON array inside a text (`{"argv": ["mysql", "-p…"]}` in a model's
// tool arguments, an MCP tool call's arguments kept as text): read as one command (shell-argv.ts),
// each secret masked over the raw characters of its element. The JSON reader of embedded-fields.ts
// collects the words; this file keeps what the arrays of one object need of each other: an `args`
// or `Cmd` array is read after the program its object names beside it (`command`, `Entrypoint`),
// before or after it. Until 7 December the array was read in the text after no program, so
// `{"command": "mysql", "args": ["-p…"]}` as a tool call's `function.arguments` was recorded with
// its password, though the same object as a payload was masked; and an array holding a number
// (`["mysql", 3306, "-p…"]`) was not read as a command at all.
import type { SecretNameMatcher } from './secret-names.js';
import { argvProgram, argvSecrets } from './shell-argv.js';
import { commandLineSecrets, isShellKey } from './shell-keys.js';
import type { ShellSecretSpan } from './shell-line.js';
import { addDisjoint } from './span-overlap.js';

export interface JsonFieldSpan {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/**
 * A member of an argv array: its raw characters' offsets and its value as a word. A number, `true`,
 * `false` and `null` are words as written (`kind: 'scalar'`); a nested object or array is a word no
 * reader takes for an option (`kind: 'nested'`, no offsets).
 */
export interface JsonWord {
  readonly start: number;
  readonly end: number;
  readonly decoded: string;
  readonly kind: 'string' | 'scalar' | 'nested';
}

/** Keys of an object whose value names the program of its `args` or `Cmd` (argvProgram). */
const PROGRAM_KEYS = new Set(['command', 'entrypoint']);
/** Keys of an array whose program its object may name beside it. */
const PROGRAM_TAKERS = new Set(['args', 'cmd']);

/** What one JSON object holds for its argv arrays: the program it names, and arrays waiting for it. */
export class ArgvObject {
  private readonly named: Record<string, string | string[]> = {};
  private readonly waiting: { key: string; words: readonly JsonWord[] }[] = [];

  /** A string under `key` in this object: a program's name when the key names one. */
  string(key: string, value: string): void {
    const lower = key.toLowerCase();
    if (PROGRAM_KEYS.has(lower)) this.named[lower] = value;
  }

  /**
   * An argv array of this object, closed: read now, or when the object closes if its program may
   * be named beside it. `command` and `Entrypoint` arrays of strings also name the program.
   */
  array(
    text: string,
    key: string,
    words: readonly JsonWord[],
    secretName: SecretNameMatcher,
    out: JsonFieldSpan[],
  ) {
    const lower = key.toLowerCase();
    if (PROGRAM_KEYS.has(lower) && words.length > 0 && words.every((w) => w.kind === 'string'))
      this.named[lower] = words.map((w) => w.decoded);
    if (PROGRAM_TAKERS.has(lower)) this.waiting.push({ key, words });
    else argvFields(text, key, words, argvProgram({}, key), secretName, out);
  }

  /** The object closed (or the text ended inside it): its waiting arrays read after their program. */
  close(text: string, secretName: SecretNameMatcher, out: JsonFieldSpan[]): void {
    for (const { key, words } of this.waiting)
      argvFields(text, key, words, argvProgram(this.named, key), secretName, out);
    this.waiting.length = 0;
  }
}

/**
 * The words read as one command after `program`, each span masked over the raw characters of its
 * element; under a shell key each string is a command line too (`{"command": ["mysql -p…"]}`).
 */
export function argvFields(
  text: string,
  key: string,
  words: readonly JsonWord[],
  program: readonly string[],
  secretName: SecretNameMatcher,
  out: JsonFieldSpan[],
): void {
  if (words.length === 0) return;
  const { spans } = argvSecrets([...program, ...words.map((w) => w.decoded)], secretName);
  const found: JsonFieldSpan[] = [];
  const lines = isShellKey(key);
  words.forEach((w, i) => {
    if (w.kind === 'nested') return;
    const own = spans[program.length + i]!;
    const line = lines && w.kind === 'string' ? commandLineSecrets(w.decoded, secretName) : [];
    if (own.length === 0 && line.length === 0) return;
    const map = w.kind === 'string' ? rawMap(text, w.start, w.end, w.decoded) : (k: number) => w.start + k;
    const at = (list: readonly ShellSecretSpan[]) =>
      list.map((s) => ({ start: map(s.start), end: map(s.end), name: `${key}: ${s.name}` }));
    const mine = at(own);
    addDisjoint(mine, at(line));
    found.push(...mine);
  });
  addDisjoint(out, found);
}

/** An offset in a JSON string's decoded value to the text's offset of the raw characters. */
export function rawMap(text: string, start: number, end: number, decoded: string): (k: number) => number {
  const at = rawOffsets(text.slice(start, end));
  // A string JSON could not decode is read as written: its offsets are its own.
  return at.length === decoded.length + 1 ? (k: number) => start + at[k]! : (k: number) => start + k;
}

/** Where each UTF-16 unit of a JSON string's decoded value begins in its raw text, and its end. */
function rawOffsets(raw: string): number[] {
  const at: number[] = [];
  let i = 0;
  while (i < raw.length) {
    at.push(i);
    i += raw[i] !== '\\' ? 1 : raw[i + 1] === 'u' ? 6 : 2;
  }
  at.push(raw.length);
  return at;
}
