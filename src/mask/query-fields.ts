// Secret-named parameters of a URL's query or an urlencoded form, read as the server reads them:
// each name and value percent-decoded, `+` as a space. Matched as written, a name spelled
// `%70assword` was no secret name, and a JSON document or a form sent percent-encoded in one value
// (`x=%7B%22password%22%3A%22…%22%7D`) hid its fields from every reader; a value that looked
// ordinary was recorded in clear. Spans are of the text as written: the value masked is the encoded
// one, and a field found in a decoded value is masked over the characters that spell it.

export interface QueryFieldSpan {
  readonly start: number;
  readonly end: number;
  /** The parameter's or the inner field's name, decoded. */
  readonly name: string;
}

export type FieldSecret = (name: string, value: string) => boolean;
/** The fields of a decoded value (a JSON document, a form), read by the caller's readers. */
export type NestedFields = (text: string, depth: number) => readonly QueryFieldSpan[];

export interface QueryReading {
  readonly secretName: (name: string) => boolean;
  readonly isSecret: FieldSecret;
  readonly nested: NestedFields;
  /** How many decodings deep this reading is: a value encoded twice (`%257B`) is read again. */
  readonly depth: number;
}

/** Decodings to follow into a value: a document encoded once or twice, not without end. */
export const MAX_QUERY_DEPTH = 3;

/**
 * A query inside a longer text (a URL in a log line, a prompt, a JSON string): a `?` then a name
 * and `=`. It ends where a URL cannot go on: a space, a quote, an angle bracket, a backtick, a `#`,
 * or a backslash other than JSON's `\/`.
 */
const QUERY_START = /\?(?=[^\s=&#"'<>`?\\]{1,256}=)/g;
const QUERY_END = /[\s"'<>`#]|\\(?!\/)/g;

/** The secret fields of every query in `text`. */
export function queryFieldSpans(text: string, reading: QueryReading): QueryFieldSpan[] {
  const out: QueryFieldSpan[] = [];
  // The two expressions are shared, not made per text (every string of a payload with a `?` comes
  // here): a value read in pairSpans may come back here and move them, so each is set before use.
  QUERY_START.lastIndex = 0;
  let m: RegExpExecArray | null = QUERY_START.exec(text);
  while (m !== null) {
    const start = m.index + 1;
    QUERY_END.lastIndex = start;
    const stop = QUERY_END.exec(text);
    const end = stop === null ? text.length : stop.index;
    pairSpans(text, start, end, reading, out);
    QUERY_START.lastIndex = end;
    m = QUERY_START.exec(text);
  }
  return out;
}

/** No `=` is left in the query. */
const NONE = -2;

/** The secret fields of the `name=value&…` pairs of `text` between `start` and `end`. */
export function pairSpans(
  text: string,
  start: number,
  end: number,
  reading: QueryReading,
  out: QueryFieldSpan[],
): void {
  // Searched within the query alone, and each `=` found once: a search that ran on to the text's
  // end for every pair or every query would be quadratic on a text of many.
  const query = text.slice(start, end);
  let i = 0;
  let eq = -1;
  while (i < query.length) {
    let amp = query.indexOf('&', i);
    if (amp < 0) amp = query.length;
    if (eq !== NONE && eq < i) {
      eq = query.indexOf('=', i);
      if (eq < 0) eq = NONE;
    }
    if (eq >= 0 && eq < amp - 1) {
      const name = decodedText(query.slice(i, eq));
      const raw = query.slice(eq + 1, amp);
      const at = start + eq + 1;
      if (reading.secretName(name)) {
        if (reading.isSecret(name, decodedText(raw))) out.push({ start: at, end: start + amp, name });
      } else {
        for (const s of decodedFieldSpans(raw, reading))
          out.push({ start: at + s.start, end: at + s.end, name: s.name });
      }
    }
    i = amp + 1;
  }
}

/**
 * Fields of a value once decoded (a JSON document, a form, lines), in the value's own offsets; a
 * value still encoded once decoded (`%257B…`, a document encoded twice) is decoded again. Only a
 * value that could hold a field is read: it has a `=`, a `:` or a `<`, or an escape.
 */
function decodedFieldSpans(raw: string, reading: QueryReading): QueryFieldSpan[] {
  if (reading.depth >= MAX_QUERY_DEPTH || !/[%=:<]/.test(raw)) return [];
  const { text, rawAt } = percentDecoded(raw);
  const deeper = { ...reading, depth: reading.depth + 1 };
  let spans: readonly QueryFieldSpan[] = /[=:<]/.test(text) ? reading.nested(text, deeper.depth) : [];
  if (spans.length === 0 && text !== raw && ESCAPE.test(text)) spans = decodedFieldSpans(text, deeper);
  return spans.map((s) => ({ start: rawAt[s.start]!, end: rawAt[s.end]!, name: s.name }));
}

const ESCAPE = /%[0-9A-Fa-f]{2}/;

export interface Decoded {
  readonly text: string;
  /** For each character of `text`, and one past its end, its offset in the text as written. */
  readonly rawAt: readonly number[];
}

/**
 * Percent-decoding with `+` as a space, a byte to a character: secret names and the punctuation
 * of JSON and forms are ASCII, and a byte for a character keeps every offset mappable (a UTF-8
 * sequence decodes to characters no secret name holds). An escape that is not one is kept as
 * written, as servers do, rather than failing the whole value.
 */
export function percentDecoded(raw: string): Decoded {
  if (!raw.includes('%') && !raw.includes('+')) return { text: raw, rawAt: offsets(raw.length) };
  let text = '';
  const rawAt: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    rawAt.push(i);
    if (c === '%' && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      text += String.fromCharCode(Number.parseInt(raw.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      text += c === '+' ? ' ' : c;
      i++;
    }
  }
  rawAt.push(raw.length);
  return { text, rawAt };
}

/** The decoded text alone, without the offsets' cost when nothing is encoded. */
export function decodedText(raw: string): string {
  return raw.includes('%') || raw.includes('+') ? percentDecoded(raw).text : raw;
}

function offsets(n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => i);
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
