// Secret-named fields written in streamed text (`STRIPE_API_KEY=harvest-moon-lantern` from a `.env`
// file, `client_secret: blue river stone` in YAML, `{"password": "…"}` in a JSON document such as a
// tool call's arguments) for a stream masker toward a client. The whole-text masker reads such
// fields (embedded-fields.ts) and masks their values whole, but the text rules alone, which a
// stream masker runs, know neither the name nor a value of words, so until 6 December the client
// read them in clear.
//
// A line is watched from its start: while what has arrived could still be the head of a field
// (`[ \t]*(- )?(export )?["']?NAME["']?` then `=` or `: `), it is held; once the head is whole and
// the name is secret, the line is held until its end (the value ends there) and masked as the whole
// masker masks that line. A line that cannot be a field, or names no secret, goes on to the text
// masker at once. A held line longer than MAX_FIELD_LINE is masked as if it ended there, and the
// rest of that line is withheld (fail safe): the client sees one replacement for the whole value.
// A text that begins with `{` or `[` is read as a JSON document instead (jsonFieldStream).
import type { StreamTextMasker } from '../core/ports.js';
import {
  type FieldStreamOptions,
  fieldHead,
  Head,
  LINE_END,
  MAX_FIELD_LINE,
  MAX_NAME,
  VALUE_END,
} from './stream-field-heads.js';
import { jsonFieldStream } from './stream-json-fields.js';
import { xmlFieldStream } from './stream-xml-fields.js';

export { MAX_FIELD_LINE } from './stream-field-heads.js';

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
      // Only the new chunk is searched: searching the whole lead again made a stream of blanks
      // sent a few at a time quadratic (a megabyte of spaces in 7-character deltas took 97 s).
      const first = chunk.search(/[^ \t\r\n]/);
      if (first < 0) {
        lead += chunk;
        return '';
      }
      const text = lead + chunk;
      chosen =
        chunk[first] === '{' || chunk[first] === '[' ? jsonFieldStream(options) : lineFieldStream(options);
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
  // XML fields (stream-xml-fields.ts) are read in the text that is not a field line.
  const inner = xmlFieldStream(options);
  /** Text since the line start, held while it may be (or is) a secret field's line. */
  let line = '';
  /**
   * 'start': reading a line's head; 'field': holding a secret field's line; 'pass': the rest of a
   * line goes on; 'drop': the rest of an overlong field line is withheld.
   */
  let mode: 'start' | 'field' | 'pass' | 'drop' = 'start';

  /**
   * Masks the held field line (flushing the text masker first, so what precedes it is out; an XML
   * element's text open around the line is masked as it stands and the rest of it withheld).
   */
  const emitField = (): string => {
    const out = inner.flush() + options.maskValue(line);
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
      if (mode === 'field') return emitField() + inner.end();
      const out = line.length > 0 ? inner.push(line) : '';
      line = '';
      return out + inner.end();
    },
  };
}
