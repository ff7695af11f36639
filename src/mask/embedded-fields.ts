// Secret-named fields written inside a text value: a JSON document held as a string (a tool call's
// `arguments`, a Responses `function_call_output`, an MCP tool result's text, an HTTP API body
// recorded as text), an urlencoded form or query string (`client_secret=…&grant_type=…`), and lines
// of `NAME=value` or `name: value` (a `.env` or YAML file an agent reads, header lines pasted as
// text). The payload walk masks values under secret-named keys of the payload itself; a field
// inside a string was left to the text rules, which know only `password`-like names and values that
// look random, so `{"client_secret": "amber tide lullaby"}` or `API_TOKEN=hunter2-pony` in a tool's
// output was recorded as sent. Returns spans of the raw text (a JSON value's escaped characters,
// inside its quotes); the masker renders them whole and runs the text rules on the rest.

import { ArgvObject, argvFields, type JsonWord, rawMap } from './json-argv-fields.js';
import { pairSpans, type QueryReading, queryFieldSpans } from './query-fields.js';
import { nameWords, type SecretNameMatcher } from './secret-names.js';
import { argvProgram, isArgvKey } from './shell-argv.js';
import { commandLineSecrets, isShellKey } from './shell-keys.js';
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
  /** An array under an argv key (shell-argv.ts): its members as words (json-argv-fields.ts). */
  readonly argv: { readonly key: string; readonly words: JsonWord[] } | null;
  /** An object's program and argv arrays (json-argv-fields.ts), made when it has either. */
  argvObject: ArgvObject | null;
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
  /** A member of an argv array other than a string, as a word (json-argv-fields.ts). */
  const word = (w: JsonWord) => {
    if (!afterColon) stack[stack.length - 1]?.argv?.words.push(w);
  };
  /** A closed argv array goes to its object, which reads it after the program it names. */
  const closeArgv = (argv: NonNullable<Frame['argv']>) => {
    const parent = stack[stack.length - 1];
    if (parent === undefined || parent.array)
      argvFields(text, argv.key, argv.words, argvProgram({}, argv.key), secretName, out);
    else objectOf(parent).array(text, argv.key, argv.words, secretName, out);
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
      word({ start, end, decoded, kind: 'string' });
      const frame = stack[stack.length - 1];
      if (afterColon && key !== null && frame !== undefined && !frame.array && isArgvKey(key))
        objectOf(frame).string(key, decoded);
      scalar(start, end, decoded);
      afterColon = false;
      continue;
    }
    if (c === '{' || c === '[') {
      const frame = stack[stack.length - 1];
      const name = afterColon ? key : frame?.array ? frame.secretName : null;
      word({ start: -1, end: -1, decoded: NESTED_WORD, kind: 'nested' });
      stack.push({
        array: c === '[',
        secretName: c === '[' && name !== null && secretName(name) ? name : null,
        argv: c === '[' && afterColon && key !== null && isArgvKey(key) ? { key, words: [] } : null,
        argvObject: null,
      });
      afterColon = false;
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      const frame = stack.pop();
      if (frame?.argv) closeArgv(frame.argv);
      frame?.argvObject?.close(text, secretName, out);
      afterColon = false;
      i++;
      continue;
    }
    if (c === 't' || c === 'f' || c === 'n') {
      const literal = LITERALS.find((l) => text.startsWith(l, i));
      if (literal !== undefined) {
        word({ start: i, end: i + literal.length, decoded: literal, kind: 'scalar' });
        afterColon = false;
        i += literal.length;
        continue;
      }
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE+.-]/.test(text[j]!)) j++;
      word({ start: i, end: j, decoded: text.slice(i, j), kind: 'scalar' });
      scalar(i, j, text.slice(i, j));
      afterColon = false;
      i = j;
      continue;
    }
    if (c === ',') afterColon = false;
    i++;
  }
  // A document cut short (streamed arguments, a body kept up to its cap): its open arrays and
  // objects are read as far as they go.
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.argv) closeArgv(frame.argv);
    frame.argvObject?.close(text, secretName, out);
  }
}

/** An object frame's argv state, made when first needed. */
function objectOf(frame: Frame): ArgvObject {
  frame.argvObject ??= new ArgvObject();
  return frame.argvObject;
}

/** JSON's literal words, members of an argv array as written. */
const LITERALS = ['true', 'false', 'null'] as const;
/** Stands for a nested object or array among a command's words (shell-argv.ts argvWords). */
const NESTED_WORD = '_';

/** A JSON key: a string followed by a colon. */
const JSON_KEY = /"((?:[^"\\\n]|\\.){1,256})"\s*:/g;

function hasKeyOfInterest(text: string, secretName: SecretNameMatcher): boolean {
  for (const m of text.matchAll(JSON_KEY)) {
    const key = decodeJsonString(m[1]!);
    if (secretName(key) || isShellKey(key) || isArgvKey(key)) return true;
  }
  return false;
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
