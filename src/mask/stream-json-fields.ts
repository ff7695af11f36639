// A JSON document streamed toward a client (a tool call's arguments), with the values of its
// secret-named keys held whole and masked as the recorded copy masks them (stream-fields.ts
// chooses this reader for a text that begins with `{` or `[`).
import type { StreamTextMasker } from '../core/ports.js';
import {
  type FieldStreamOptions,
  fieldHead,
  Head,
  LINE_END_CHARS,
  MAX_FIELD_LINE,
  MAX_NAME,
  VALUE_END,
} from './stream-field-heads.js';
import { xmlFieldStream } from './stream-xml-fields.js';

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
export function jsonFieldStream(options: FieldStreamOptions): StreamTextMasker {
  // XML fields inside the document's strings (stream-xml-fields.ts) are read in the text handed on.
  // Ended (not flushed) before a JSON field: the whole masker drops an XML field that overlaps one.
  let inner = xmlFieldStream(options);
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
        inner = xmlFieldStream(options);
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
      // What precedes a held value goes on now. A string that may be a key holds nothing back, so
      // what precedes it waits for the end of the chunk: handing the text masker every piece
      // between keys made a document of many keys cost 2.5 µs a character.
      const out = role === 'plain' || role === 'maybe-key' ? '' : release();
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
    inner = xmlFieldStream(options);
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
