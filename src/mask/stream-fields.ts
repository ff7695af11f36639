// Secret-named fields written in streamed text (`STRIPE_API_KEY=harvest-moon-lantern` from a `.env`
// file, `client_secret: blue river stone` in YAML, `{"password": "…"}` in a JSON document such as a
// tool call's arguments) for a stream masker toward a client. The whole-text masker reads such fields (embedded-fields.ts)
// and masks their values whole, but the text rules alone, which a stream masker runs, know neither
// the name nor a value of words, so until 6 December the client read them in clear.
//
// A line is watched from its start: while what has arrived could still be the head of a field
// (`[ \t]*(- )?(export )?["']?NAME["']?` then `=` or `: `), it is held; once the head is whole and
// the name is secret, the line is held until its end (the value ends there) and masked as the whole
// masker masks that line. A line that cannot be a field, or names no secret, goes on to the text
// masker at once. A held line longer than MAX_FIELD_LINE is masked as if it ended there, and the
// rest of that line is withheld (fail safe): the client sees one replacement for the whole value.
// A text that begins with `{` or `[` is read as a JSON document instead (jsonFieldStream).
import type { StreamTextMasker } from '../core/ports.js';

/** The most characters of one secret field's line held before it is masked as it stands. */
export const MAX_FIELD_LINE = 4096;
/** Where a line starts again for a regular expression's `^` in multiline mode, as embedded-fields.ts reads lines. */
const LINE_END_CHARS = '\n\r\u2028\u2029';
const LINE_END = /[\n\r\u2028\u2029]/g;
/** What ends a line field's value (embedded-fields.ts: `[^\r\n]*`). */
const VALUE_END = '\n\r';
/** The longest name embedded-fields.ts reads in a line field. */
const MAX_NAME = 128;

export interface FieldStreamOptions {
  /** A fresh text-rule stream masker (the connection's); one is ended and replaced at each field line. */
  readonly inner: () => StreamTextMasker;
  /** Masks one whole line as a payload's string value is masked (fields and text rules). */
  readonly maskValue: (text: string) => string;
  /** Whether `name` is a secret field name (the masker's configured names). */
  readonly isSecretName: (name: string) => boolean;
}

/** What the text since the line start can still be: not a field head, perhaps one, or a whole one. */
const Head = { No: 'no', Maybe: 'maybe', Whole: 'whole' } as const;
type Head = (typeof Head)[keyof typeof Head];

/**
 * Reads a line's start as embedded-fields.ts's LINE_FIELD does: spaces, a YAML list dash, `export`,
 * an optional quote, a name, an optional quote, then `=` (not `==`) or `:` and a space or tab.
 */
function fieldHead(line: string): { head: Head; name: string } {
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

/**
 * A stream masker that masks secret-named fields as the whole-text masker does: a text that begins
 * with `{` or `[` is read as a JSON document (jsonFieldStream), any other text line by line.
 */
export function createFieldStreamMasker(options: FieldStreamOptions): StreamTextMasker {
  let chosen: StreamTextMasker | null = null;
  /** Leading white space, held until the first other character says which reading applies. */
  let lead = '';
  let ended = false;
  return {
    push(chunk) {
      if (ended) throw new Error('stream masker: push after end');
      if (chunk.length === 0) return '';
      if (chosen) return chosen.push(chunk);
      const text = lead + chunk;
      const first = text.search(/[^ \t\r\n]/);
      if (first < 0) {
        lead = text;
        return '';
      }
      chosen =
        text[first] === '{' || text[first] === '[' ? jsonFieldStream(options) : lineFieldStream(options);
      lead = '';
      return chosen.push(text);
    },
    end() {
      if (ended) return '';
      ended = true;
      chosen ??= lineFieldStream(options);
      return (lead.length > 0 ? chosen.push(lead) : '') + chosen.end();
    },
  };
}

/** `NAME=value` and `name: value` lines (embedded-fields.ts lineFields). */
function lineFieldStream(options: FieldStreamOptions): StreamTextMasker {
  let inner = options.inner();
  /** Text since the line start, held while it may be (or is) a secret field's line. */
  let line = '';
  /** 'start': reading a line's head; 'field': holding a secret field's line; 'pass': the rest of a line goes on; 'drop': the rest of an overlong field line is withheld. */
  let mode: 'start' | 'field' | 'pass' | 'drop' = 'start';

  /** Masks the held field line (ending the text masker first, so what precedes it is out). */
  const emitField = (): string => {
    const out = inner.end() + options.maskValue(line);
    inner = options.inner();
    line = '';
    return out;
  };

  return {
    push(chunk) {
      let out = '';
      let pos = 0;
      while (pos < chunk.length) {
        LINE_END.lastIndex = pos;
        const nl = LINE_END.exec(chunk)?.index ?? -1;
        const stop = nl < 0 ? chunk.length : nl + 1;
        const piece = chunk.slice(pos, stop);
        pos = stop;
        const lineEnds = nl >= 0;
        /** A field's value runs on over a line or paragraph separator (`[^\r\n]*`). */
        const valueEnds = lineEnds && VALUE_END.includes(chunk[nl]!);
        if (mode === 'pass') {
          out += inner.push(piece);
          if (lineEnds) mode = 'start';
          continue;
        }
        if (mode === 'drop') {
          if (valueEnds) {
            mode = 'start';
            out += inner.push(piece.slice(-1));
          }
          continue;
        }
        line += piece;
        if (mode === 'start') {
          const { head, name } = fieldHead(lineEnds ? line.slice(0, -1) : line);
          if (head === Head.Maybe && !lineEnds && line.length <= MAX_NAME + 16) continue;
          if (head === Head.Whole && options.isSecretName(name)) mode = 'field';
          else {
            out += inner.push(line);
            line = '';
            mode = lineEnds ? 'start' : 'pass';
            continue;
          }
        }
        // A secret field's line: held to its end.
        if (valueEnds) {
          out += emitField();
          mode = 'start';
        } else if (line.length > MAX_FIELD_LINE) {
          out += emitField();
          mode = 'drop';
        }
      }
      return out;
    },
    end() {
      if (mode === 'field') return emitField();
      const out = line.length > 0 ? inner.push(line) : '';
      line = '';
      return out + inner.end();
    },
  };
}

/** One JSON container: an array under a secret name has secret scalar members. */
interface Frame {
  readonly array: boolean;
  readonly secretName: string | null;
}

const NUMBER_CHAR = /[0-9eE+.-]/;

/**
 * A JSON document read as embedded-fields.ts's jsonFields reads it (tolerantly, a string followed by
 * `:` being a key): a string that may be a key is held until the character after it says; the value
 * of a secret key (a string to its closing unescaped quote, or a number) and a scalar member of an
 * array under a secret key are held whole and replaced as the whole masker replaces them. A value
 * past MAX_FIELD_LINE is replaced as it stands and the rest of it withheld.
 */
function jsonFieldStream(options: FieldStreamOptions): StreamTextMasker {
  let inner = options.inner();
  const stack: Frame[] = [];
  let key: string | null = null;
  let rawKey = '';
  let afterColon = false;
  /** Text not yet handed to the text masker. */
  let pend = '';
  let lex: 'out' | 'str' | 'esc' | 'after' | 'num' | 'drop' | 'dropEsc' = 'out';
  /**
   * The string or number being read: where it begins in `pend`, and what it may be. Only a value
   * that may be secret is held; a string that may be a key goes on (keys are not masked), its text
   * kept in `tok` for the key.
   */
  let tokStart = 0;
  let tokEnd = 0;
  let role: 'plain' | 'secret' | 'maybe-key' | 'member' = 'plain';
  /** The raw text of a string that may be a key. */
  let tok = '';
  /** The field name a held value is under. */
  let fieldName = '';
  /**
   * The whole masker also reads a pretty document's lines as `name: value` lines (a `"password":
   * false` line, a short `"token"` with its comma): the text since a line start while it may be a
   * secret field's head (null once it cannot), and whether the line is held to its end.
   */
  let lineHead: string | null = '';
  let lineHeld = false;

  const nameHere = (): string | null => {
    const frame = stack[stack.length - 1];
    return afterColon ? key : frame?.array ? frame.secretName : null;
  };
  const release = (): string => {
    // A line that is (or may be) a secret field's is held to its end.
    if (lineHeld || lineHead !== null) return '';
    const out = pend.length > 0 ? inner.push(pend) : '';
    pend = '';
    return out;
  };
  /** Renders the value pend[tokStart, tokEnd) under `fieldName` as the whole masker does. */
  const field = (quoted: boolean): string => {
    // A held line is masked whole at its end.
    if (lineHeld) return '';
    const raw = pend.slice(tokStart, tokEnd);
    let out = inner.push(pend.slice(0, tokStart));
    const q = quoted ? '"' : '';
    const nameRaw = fieldName === key ? rawKey : JSON.stringify(fieldName).slice(1, -1);
    const prefix = `{"${nameRaw}":${q}`;
    const suffix = `${q}}`;
    const masked = options.maskValue(prefix + raw + suffix);
    if (
      masked.startsWith(prefix) &&
      masked.endsWith(suffix) &&
      masked.length > prefix.length + suffix.length
    ) {
      const middle = masked.slice(prefix.length, masked.length - suffix.length);
      if (middle !== raw) {
        out += inner.end() + middle;
        inner = options.inner();
      } else out += inner.push(raw);
    } else out += inner.push(raw);
    pend = pend.slice(tokEnd);
    return out;
  };
  const decode = (raw: string): string => {
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  };
  const secretHere = (): string | null => {
    const name = nameHere();
    return name !== null && options.isSecretName(name) ? name : null;
  };

  const step = (c: string): string => {
    switch (lex) {
      case 'str':
        pend += c;
        if (role === 'maybe-key') tok += c;
        if (c === '\\') lex = 'esc';
        else if (c === '"') {
          tokEnd = pend.length - 1;
          if (role === 'plain') {
            afterColon = false;
            lex = 'out';
          } else if (role === 'secret') {
            afterColon = false;
            lex = 'out';
            return field(true);
          } else lex = 'after';
        } else if (role === 'secret' || role === 'member') {
          if (pend.length - tokStart > MAX_FIELD_LINE) {
            tokEnd = pend.length;
            const out = field(true);
            lex = 'drop';
            return out;
          }
        }
        return '';
      case 'esc':
        pend += c;
        if (role === 'maybe-key') tok += c;
        lex = 'str';
        return '';
      case 'drop':
        if (c === '\\') lex = 'dropEsc';
        else if (c === '"') {
          pend += c;
          afterColon = false;
          lex = 'out';
        }
        return '';
      case 'dropEsc':
        lex = 'drop';
        return '';
      case 'after':
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
          pend += c;
          // A member held past the bound is masked as a scalar (should a `:` follow, it was a key).
          if (role === 'member' && pend.length - tokStart > MAX_FIELD_LINE) {
            const out = field(true);
            role = 'maybe-key';
            return out;
          }
          return '';
        }
        lex = 'out';
        if (c === ':' && !afterColon) {
          rawKey = tok.slice(0, -1);
          key = decode(rawKey);
          afterColon = true;
          pend += c;
          return '';
        }
        // A scalar: a secret array's member is masked, anything else goes on.
        afterColon = false;
        return (role === 'member' ? field(true) : '') + step(c);
      case 'num':
        if (tokStart < 0) {
          if (NUMBER_CHAR.test(c)) {
            pend += c;
            return '';
          }
          afterColon = false;
          lex = 'out';
          return step(c);
        }
        if (NUMBER_CHAR.test(c)) {
          pend += c;
          if (pend.length - tokStart > MAX_FIELD_LINE) {
            tokEnd = pend.length;
            const out = field(false);
            lex = 'drop';
            return out;
          }
          return '';
        }
        tokEnd = pend.length;
        afterColon = false;
        lex = 'out';
        return field(false) + step(c);
      default:
        break;
    }
    // Outside a string.
    if (c === '"') {
      const secret = secretHere();
      if (afterColon) role = secret !== null ? 'secret' : 'plain';
      else role = secret !== null ? 'member' : 'maybe-key';
      if (secret !== null) fieldName = secret;
      lex = 'str';
      tok = '';
      // What precedes a held string goes on now.
      const out = role === 'plain' ? '' : release();
      pend += c;
      tokStart = pend.length;
      return out;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const secret = secretHere();
      if (secret !== null) {
        fieldName = secret;
        const out = release();
        tokStart = pend.length;
        pend += c;
        lex = 'num';
        return out;
      }
      pend += c;
      // A plain number: read to its end, as the tolerant reader does, then it is a scalar.
      lex = 'num';
      tokStart = -1;
      return '';
    }
    if (c === '{' || c === '[') {
      const name = nameHere();
      stack.push({
        array: c === '[',
        secretName: c === '[' && name !== null && options.isSecretName(name) ? name : null,
      });
      afterColon = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      afterColon = false;
    } else if (c === ',') afterColon = false;
    pend += c;
    return '';
  };

  /** Whether nothing in `pend` is held: text may go on to the text masker. */
  const free = () =>
    lineHead === null &&
    !lineHeld &&
    (lex === 'out' ||
      ((lex === 'str' || lex === 'after') && (role === 'plain' || role === 'maybe-key')) ||
      (lex === 'num' && tokStart < 0));

  /** Masks the held line as the whole masker reads it inside a document: as JSON and as a line. */
  const emitLine = (): string => {
    const opened = `{\n${pend}`;
    const masked = options.maskValue(opened);
    const out = inner.end() + (masked.startsWith('{\n') ? masked.slice(2) : options.maskValue(pend));
    inner = options.inner();
    pend = '';
    tokStart = 0;
    lineHeld = false;
    return out;
  };

  return {
    push(chunk) {
      let out = '';
      for (const c of chunk) {
        const lineEnd = LINE_END_CHARS.includes(c);
        if (lineHead !== null && !lineEnd) {
          lineHead += c;
          const { head, name } = fieldHead(lineHead);
          if (head !== Head.Maybe || lineHead.length > MAX_NAME + 16) {
            lineHeld = head === Head.Whole && options.isSecretName(name);
            lineHead = null;
          }
        }
        out += step(c);
        if (lineHeld && pend.length > MAX_FIELD_LINE) out += emitLine();
        if (lineEnd) {
          if (lineHeld && lex === 'out' && VALUE_END.includes(c)) out += emitLine();
          lineHead = null;
          if (free()) {
            out += release();
            lineHead = '';
          }
        }
      }
      return free() ? out + release() : out;
    },
    end() {
      if (lineHeld) return emitLine() + inner.end();
      let out = '';
      if ((lex === 'str' && (role === 'secret' || role === 'member')) || (lex === 'num' && tokStart >= 0)) {
        // A document cut short: the tolerant reader masks the value to the end.
        tokEnd = pend.length;
        out += field(lex === 'str');
      } else if (lex === 'after' && role === 'member') out += field(true);
      return out + release() + inner.end();
    },
  };
}
