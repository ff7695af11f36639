// Secret-named fields written inside a text value: a JSON document held as a string (a tool call's
// `arguments`, a Responses `function_call_output`, an MCP tool result's text, an HTTP API body
// recorded as text), an urlencoded form or query string (`client_secret=…&grant_type=…`), and lines
// of `NAME=value` or `name: value` (a `.env` or YAML file an agent reads, header lines pasted as
// text). The payload walk masks values under secret-named keys of the payload itself; a field
// inside a string was left to the text rules, which know only `password`-like names and values that
// look random, so `{"client_secret": "amber tide lullaby"}` or `API_TOKEN=hunter2-pony` in a tool's
// output was recorded as sent. Returns spans of the raw text (a JSON value's escaped characters,
// inside its quotes); the masker renders them whole and runs the text rules on the rest.
import { pairSpans, type QueryReading, queryFieldSpans } from './query-fields.js';
import { nameWords, type SecretNameMatcher } from './secret-names.js';
import { argvProgram, argvSecrets, isArgvKey } from './shell-argv.js';
import { commandLineSecrets, isShellKey } from './shell-keys.js';
import type { ShellSecretSpan } from './shell-line.js';
import { addDisjoint } from './span-overlap.js';
import { mayHoldXml, xmlFieldSpans } from './xml-fields.js';

export interface EmbeddedFieldSpan {
  readonly start: number;
  readonly end: number;
  /** The field's name, for the finding's detail. */
  readonly name: string;
}

type FieldSecret = (name: string, value: string) => boolean;

/** Placeholders and references stay readable: `${DB_PASSWORD}`, `<redacted>`, `***`. */
const PLACEHOLDER = /^(?:\$\{[^}]*\}|<[^>]*>|\*+|\[MASKED:[^\]]*\]|null|none|undefined|)$/i;

/**
 * A value under a secret-named key is masked whole, except: placeholders; and for names ending in
 * `token` (a model's logprob token, `max_tokens`-like counters are not matched anyway), values
 * shorter than 8 characters or with spaces, which are words rather than credentials.
 */
export function fieldSecret(key: string, value: string): boolean {
  if (PLACEHOLDER.test(value.trim())) return false;
  const words = nameWords(key);
  if (words[words.length - 1] === 'token' && (value.length < 8 || /\s/.test(value))) return false;
  return true;
}

/** Texts longer than this are not read for fields (a large document is left to the text rules). */
const MAX_TEXT = 1 << 20;

export function embeddedFieldSpans(
  text: string,
  secretName: SecretNameMatcher,
  isSecret: FieldSecret = fieldSecret,
  only: { json?: boolean } = {},
  /** How many percent-decodings deep the text is (query-fields.ts). */
  depth = 0,
): EmbeddedFieldSpan[] {
  if (text.length < 3 || text.length > MAX_TEXT) return [];
  const out: EmbeddedFieldSpan[] = [];
  const first = firstNonSpace(text);
  if (first === '{' || first === '[') jsonFields(text, secretName, isSecret, out);
  if (only.json) return out;
  // A form's or a query's names and values are read decoded, and a value may hold a document.
  const form = first !== '{' && first !== '[' && FORM.test(text);
  if (form)
    pairSpans(text, text[0] === '?' ? 1 : 0, text.length, queryReading(secretName, isSecret, depth), out);
  // XML elements and attributes (a SOAP body, a config file), also inside a JSON text's strings.
  if (mayHoldXml(text)) addDisjoint(out, xmlFieldSpans(text, secretName, isSecret));
  if (
    (out.length === 0 || text.includes('\n')) &&
    (text.includes('=') || text.includes(': ') || text.includes(':\t'))
  )
    lineFields(text, secretName, isSecret, out);
  // Queries of URLs inside the text (an echoed request line, a link in a prompt or a JSON string).
  if (!form && text.includes('?'))
    addDisjoint(out, queryFieldSpans(text, queryReading(secretName, isSecret, depth)));
  return out;
}

/** Made only for a text with a form or a query: a closure made for every string value showed. */
function queryReading(secretName: SecretNameMatcher, isSecret: FieldSecret, depth: number): QueryReading {
  return {
    secretName,
    isSecret,
    nested: (inner, d) => embeddedFieldSpans(inner, secretName, isSecret, {}, d),
    depth,
  };
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return '';
}

/** One JSON container: is it an array under a secret name (its scalar members are then secret). */
interface Frame {
  readonly array: boolean;
  readonly secretName: string | null;
  /** An array under an argv key (shell-argv.ts): its strings, or null once it holds anything else. */
  argv: { readonly key: string; words: JsonWord[] | null } | null;
}

/**
 * A tolerant JSON reader: strings, the key before each `:`, and the scalar after it. It reads a
 * document cut short (a body kept up to its cap, streamed arguments) as far as it goes, and does
 * not require it to be valid.
 */
function jsonFields(
  text: string,
  secretName: SecretNameMatcher,
  isSecret: FieldSecret,
  out: EmbeddedFieldSpan[],
) {
  // Most documents name no secret and no command: one native pass over their keys says so first.
  if (!hasKeyOfInterest(text, secretName)) return;
  const stack: Frame[] = [];
  let key: string | null = null;
  let afterColon = false;
  let i = 0;
  const n = text.length;
  const scalar = (start: number, end: number, decoded: string) => {
    const frame = stack[stack.length - 1];
    const name = afterColon ? key : frame?.array ? frame.secretName : null;
    if (name !== null && secretName(name) && isSecret(name, decoded)) out.push({ start, end, name });
    else if (afterColon && key !== null && isShellKey(key))
      commandLineFields(text, start, end, decoded, key, secretName, out);
  };
  /** A member of an argv array other than a string: the array is no command's words. */
  const notWords = () => {
    const frame = stack[stack.length - 1];
    if (frame?.argv) frame.argv.words = null;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      const start = i + 1;
      let j = start;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const end = Math.min(j, n);
      const raw = text.slice(start, end);
      i = end + 1;
      let k = i;
      while (k < n && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r')) k++;
      if (text[k] === ':' && !afterColon) {
        key = decodeJsonString(raw);
        afterColon = true;
        i = k + 1;
        continue;
      }
      const decoded = decodeJsonString(raw);
      const words = afterColon ? null : stack[stack.length - 1]?.argv?.words;
      if (words) words.push({ start, end, decoded });
      scalar(start, end, decoded);
      afterColon = false;
      continue;
    }
    if (c === '{' || c === '[') {
      const frame = stack[stack.length - 1];
      const name = afterColon ? key : frame?.array ? frame.secretName : null;
      if (!afterColon) notWords();
      stack.push({
        array: c === '[',
        secretName: c === '[' && name !== null && secretName(name) ? name : null,
        argv: c === '[' && afterColon && key !== null && isArgvKey(key) ? { key, words: [] } : null,
      });
      afterColon = false;
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      const frame = stack.pop();
      if (frame?.argv?.words) argvFields(text, frame.argv.key, frame.argv.words, secretName, out);
      afterColon = false;
      i++;
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9') || c === 't' || c === 'f' || c === 'n') {
      if (!afterColon) notWords();
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE+.-]/.test(text[j]!)) j++;
      scalar(i, j, text.slice(i, j));
      afterColon = false;
      i = j;
      continue;
    }
    if (c === ',') afterColon = false;
    i++;
  }
}

/** A JSON key: a string followed by a colon. */
const JSON_KEY = /"((?:[^"\\\n]|\\.){1,256})"\s*:/g;

function hasKeyOfInterest(text: string, secretName: SecretNameMatcher): boolean {
  for (const m of text.matchAll(JSON_KEY)) {
    const key = decodeJsonString(m[1]!);
    if (secretName(key) || isShellKey(key) || isArgvKey(key)) return true;
  }
  return false;
}

/** A string of an argv array: its raw characters' offsets and its decoded value. */
interface JsonWord {
  readonly start: number;
  readonly end: number;
  readonly decoded: string;
}

/**
 * A command's words written as a JSON array (`{"argv": ["mysql", "-p…"]}` in a model's tool
 * arguments): read as one command (shell-argv.ts), each span masked over the raw characters of its
 * element. An `args` array is read after a program it does not name, as in an object.
 */
function argvFields(
  text: string,
  key: string,
  words: readonly JsonWord[],
  secretName: SecretNameMatcher,
  out: EmbeddedFieldSpan[],
): void {
  if (words.length === 0) return;
  const program = argvProgram({}, key);
  const { spans } = argvSecrets([...program, ...words.map((w) => w.decoded)], secretName);
  const found: EmbeddedFieldSpan[] = [];
  // Under a shell key each element is a command line too (`{"command": ["mysql -p…"]}`), as in an object.
  const lines = isShellKey(key);
  words.forEach((w, i) => {
    const own = spans[program.length + i]!;
    const line = lines ? commandLineSecrets(w.decoded, secretName) : [];
    if (own.length === 0 && line.length === 0) return;
    const map = rawMap(text, w.start, w.end, w.decoded);
    const at = (list: readonly ShellSecretSpan[]) =>
      list.map((s) => ({ start: map(s.start), end: map(s.end), name: `${key}: ${s.name}` }));
    const mine = at(own);
    addDisjoint(mine, at(line));
    found.push(...mine);
  });
  addDisjoint(out, found);
}

/**
 * A command line written as a JSON string (`{"cmd": "mysql -p… -e 1"}`, a model's tool arguments):
 * its secrets are found in the decoded line and masked over the raw characters that spell them.
 */
function commandLineFields(
  text: string,
  start: number,
  end: number,
  decoded: string,
  key: string,
  secretName: SecretNameMatcher,
  out: EmbeddedFieldSpan[],
): void {
  const spans = commandLineSecrets(decoded, secretName);
  if (spans.length === 0) return;
  const map = rawMap(text, start, end, decoded);
  for (const s of spans) out.push({ start: map(s.start), end: map(s.end), name: `${key}: ${s.name}` });
}

/** An offset in a JSON string's decoded value to the text's offset of the raw characters. */
function rawMap(text: string, start: number, end: number, decoded: string): (k: number) => number {
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

function decodeJsonString(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** A whole value that is an urlencoded form or query string: `a=1&b=2`, `?a=1`. */
const FORM = /^\??[A-Za-z0-9_.~%[\]-]+=[^\s&]*(?:&[A-Za-z0-9_.~%[\]-]+=[^\s&]*)*&?$/;
/**
 * `NAME=value` (a `.env` file, `export NAME=…`, an INI or properties file) and `name: value` (YAML,
 * header lines) at the start of a line; `#` and `;` comments and a YAML list dash are skipped.
 */
const LINE_FIELD =
  /^[ \t]*(?:- +)?(?:export[ \t]+)?["']?([A-Za-z_][A-Za-z0-9_.-]{0,127})["']?(?:[ \t]*=(?!=)[ \t]*|:[ \t]+)([^\r\n]*)/gm;

/** Names that head prose lines as often as fields, taken only in the `NAME=value` form. */
const PROSE_WORDS = new Set(['pass', 'pin', 'pan']);

function lineFields(
  text: string,
  secretName: SecretNameMatcher,
  isSecret: FieldSecret,
  out: EmbeddedFieldSpan[],
) {
  for (const m of text.matchAll(LINE_FIELD)) {
    const name = m[1]!;
    if (!secretName(name)) continue;
    // `PASS: test/app.test.ts`, `PIN: 3` in a test run's or a form's text: a word, not a field.
    if (!m[0].includes('=') && PROSE_WORDS.has(name.toLowerCase())) continue;
    let value = m[2]!;
    let end = m.index + m[0].length;
    // Trailing spaces and an inline comment after a space are not part of the value.
    // Found by indexOf and a loop: `/[ \t]+#/` and `/[ \t]+$/` are quadratic on a run of spaces.
    const comment = firstOf(value, ' #', '\t#');
    let cut = comment < 0 ? value.length : comment;
    while (cut > 0 && (value[cut - 1] === ' ' || value[cut - 1] === '\t')) cut--;
    end -= value.length - cut;
    value = value.slice(0, cut);
    let start = end - value.length;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value[value.length - 1] === q) {
      start++;
      end--;
      value = value.slice(1, -1);
    }
    // A YAML block or flow value (`|`, `>`, `{`, `[`) is a structure, not the value itself.
    if (value.length === 0 || /^[|>{[&*!]/.test(value)) continue;
    if (out.some((s) => start < s.end && end > s.start)) continue;
    if (isSecret(name, value)) out.push({ start, end, name });
  }
}

function firstOf(text: string, a: string, b: string): number {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}
