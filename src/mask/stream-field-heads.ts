// The head of a field line in streamed text, read as embedded-fields.ts reads a `NAME=value` or
// `name: value` line, and the bounds both stream readers (stream-fields.ts for lines,
// stream-json-fields.ts for a JSON document) share.
import type { StreamTextMasker } from '../core/ports.js';

/** The most characters of one secret field's line held before it is masked as it stands. */
export const MAX_FIELD_LINE = 4096;
/**
 * Where a line starts again for a regular expression's `^` in multiline mode, as embedded-fields.ts
 * reads lines.
 */
export const LINE_END_CHARS = '\n\r\u2028\u2029';
export const LINE_END = /[\n\r\u2028\u2029]/g;
/** What ends a line field's value (embedded-fields.ts: `[^\r\n]*`). */
export const VALUE_END = '\n\r';
/** The longest name embedded-fields.ts reads in a line field. */
export const MAX_NAME = 128;

export interface FieldStreamOptions {
  /** A fresh text-rule stream masker (the connection's); one is ended and replaced at each field line. */
  readonly inner: () => StreamTextMasker;
  /** Masks one whole line as a payload's string value is masked (fields and text rules). */
  readonly maskValue: (text: string) => string;
  /** Whether `name` is a secret field name (the masker's configured names). */
  readonly isSecretName: (name: string) => boolean;
}

/** What the text since the line start can still be: not a field head, perhaps one, or a whole one. */
export const Head = { No: 'no', Maybe: 'maybe', Whole: 'whole' } as const;
export type Head = (typeof Head)[keyof typeof Head];

/**
 * Reads a line's start as embedded-fields.ts's LINE_FIELD does: spaces, a YAML list dash, `export`,
 * an optional quote, a name, an optional quote, then `=` (not `==`) or `:` and a space or tab.
 */
export function fieldHead(line: string): { head: Head; name: string } {
  const no = { head: Head.No, name: '' };
  const maybe = { head: Head.Maybe, name: '' };
  let i = 0;
  const n = line.length;
  while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  if (i === n) return maybe;
  if (line[i] === '-') {
    i++;
    if (i === n) return maybe;
    if (line[i] !== ' ') return no;
    while (i < n && line[i] === ' ') i++;
    if (i === n) return maybe;
  }
  // `export NAME=`: `export` may also be the name itself (`export: x`), so both readings are tried.
  const rest = line.slice(i);
  const plain = afterPrefix(rest);
  const exported = /^export[ \t]+/.exec(rest);
  if (exported) {
    const e = afterPrefix(rest.slice(exported[0].length));
    if (e.head === Head.Whole) return e;
    if (plain.head === Head.Whole) return plain;
    return e.head === Head.Maybe || plain.head === Head.Maybe ? maybe : no;
  }
  return plain;
}

function afterPrefix(text: string): { head: Head; name: string } {
  const no = { head: Head.No, name: '' };
  const maybe = { head: Head.Maybe, name: '' };
  let i = 0;
  const n = text.length;
  if (i < n && (text[i] === '"' || text[i] === "'")) i++;
  if (i === n) return maybe;
  if (!/[A-Za-z_]/.test(text[i]!)) return no;
  const start = i;
  while (i < n && /[A-Za-z0-9_.-]/.test(text[i]!)) i++;
  if (i - start > MAX_NAME) return no;
  if (i === n) return maybe;
  const name = text.slice(start, i);
  if (text[i] === '"' || text[i] === "'") i++;
  if (i === n) return maybe;
  if (text[i] === ':') {
    i++;
    if (i === n) return maybe;
    return text[i] === ' ' || text[i] === '\t' ? { head: Head.Whole, name } : no;
  }
  while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i === n) return maybe;
  if (text[i] !== '=') return no;
  i++;
  if (i === n) return maybe;
  return text[i] === '=' ? no : { head: Head.Whole, name };
}
