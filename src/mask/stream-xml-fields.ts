// Secret-named XML fields in streamed text (`<password>…</password>`, `<ns:ApiKey>`, a CDATA, a
// secret-named attribute, `<add key="ApiToken" value="…"/>`, a property list's
// `<key>password</key><string>…</string>`), held toward a client until the field is whole and masked
// as the recorded copy masks them (xml-fields.ts). Until 6 December the stream toward a
// `mask_responses` client held JSON keys and `NAME=value` lines only, so a password of words inside
// an element reached the client in clear while the record masked it.
//
// Text goes on to the text masker at once unless it is at or after a `<` that may begin a secret
// field: a start tag is held to its `>` (bounded as xml-fields.ts reads one); a tag whose field is
// its element's text (or a property list's value) is held to the closing tag. The whole stretch, the
// "region", is then masked as the whole masker masks it (options.maskValue), after the text masker
// has let go of what precedes it. A region that cannot be a field goes on to the text masker as it
// is, and what it held after its first `<` is read again, as the whole masker reads every `<`. A
// value held past MAX_FIELD_LINE is masked as it stands and the rest of it withheld (fail safe).
import type { StreamTextMasker } from '../core/ports.js';
import { fieldSecret } from './embedded-fields.js';
import { type FieldStreamOptions, MAX_FIELD_LINE } from './stream-field-heads.js';
import { mayHoldXml, startTagNeeds, xmlFieldSpans } from './xml-fields.js';

export interface XmlFieldStream extends StreamTextMasker {
  /**
   * Lets go of the text masker's held text before a field the caller masks itself (a `NAME=value`
   * line), keeping what an open XML field needs: an element's text held so far is masked as a cut
   * value and the rest of that value withheld, since the line may lie inside it.
   */
  flush(): string;
}

const CDATA_OPEN = '<![CDATA[';
/** xml-fields.ts TAG: a name of at most 128 characters, then at most 1,024 after its white space. */
const MAX_TAG_NAME = 128;
const MAX_ATTRS = 1024;
/** xml-fields.ts: `</key>`, at most 256 white space characters, then `<string>` or `<data>`. */
const MAX_KEY_GAP = 256;
const PLIST_VALUES = ['<string>', '<data>'] as const;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[\w.:-]/;
const SPACE = /\s/;
/** An angle bracket: what ends (or spoils) a start tag's attributes. */
const ANGLE = /[<>]/g;
/** Appended when a region that has fields names neither `</` nor `/>` (mayHoldXml), then removed. */
const XML_MARK = '</>';

type Phase = 'none' | 'tag' | 'text' | 'gap' | 'drop';

export function xmlFieldStream(options: FieldStreamOptions): XmlFieldStream {
  let text = options.inner();
  /** The region since its `<`: only appended to while held, read whole when it is decided. */
  let held = '';
  /**
   * 'tag': a start tag; 'text': an element's text up to its closing tag; 'gap': between a property
   * list's `</key>` and its value element; 'drop': the rest of a value cut at the bound.
   */
  let phase: Phase = 'none';
  let out = '';
  /** Text held by a region that turned out not to be a field, after its first `<`: read again. */
  let again: string | null = null;
  // The start tag.
  let nameLength = 0;
  /** Attribute characters after the white space that follows the name; -1 while the name is read. */
  let attrsLength = -1;
  let tagEnd = 0;
  // The element's text.
  let closeName = '';
  let isKey = false;
  let textStart = 0;
  /** Whether the text is a CDATA section; null while its first characters may still open one. */
  let cdata: boolean | null = null;
  let cdataSeen = 0;
  /** `]` characters just read (a CDATA section ends at its first `]]>`). */
  let brackets = 0;
  /** Where the text ends (its first `<`, or the CDATA's `]]>`), once seen; then how much of the closing tag matched. */
  let closeAt = -1;
  let closeSeen = 0;
  // The property list's gap.
  let gapSpaces = 0;
  let gapSeen = '';
  let dropUntil: '<' | ']]>' = '<';

  /**
   * Text handed on, pushed to the text masker once per chunk: pushing each released `<` alone cost a
   * scan of the text masker's window per character (a megabyte of `<` took 12 s).
   */
  let onward = '';
  const plain = (s: string) => {
    onward += s;
  };
  const handOn = () => {
    if (onward.length > 0) out += text.push(onward);
    onward = '';
  };

  /** Masks a decided region as the whole masker does, or hands it on when it holds no field. */
  const region = (r: string, suffix = '') => {
    const whole = r + suffix;
    if (xmlFieldSpans(whole, options.isSecretName, fieldSecret).length === 0) {
      plain(r);
      return;
    }
    const tail = suffix + (mayHoldXml(whole) ? '' : XML_MARK);
    handOn();
    let masked = options.maskValue(r + tail);
    // The closing tag made up for a cut value is not the client's to read; if the text rules changed
    // it, it stays (it says nothing of the value).
    if (masked.endsWith(tail)) masked = masked.slice(0, masked.length - tail.length);
    out += text.end() + masked;
    text = options.inner();
  };

  const startText = (name: string, key: boolean) => {
    phase = 'text';
    closeName = name;
    isKey = key;
    textStart = held.length;
    cdata = key ? false : null;
    cdataSeen = 0;
    brackets = 0;
    closeAt = -1;
    closeSeen = 0;
  };

  /** Not a field: the start tag's own attributes are read, the rest handed on or read again. */
  const fail = () => {
    if (phase === 'tag') plain(held);
    else {
      region(held.slice(0, tagEnd));
      const next = held.indexOf('<', tagEnd);
      plain(held.slice(tagEnd, next < 0 ? held.length : next));
      if (next >= 0) again = held.slice(next);
    }
    held = '';
    phase = 'none';
  };

  /** An element's text past the bound (or cut by a field line): masked as it stands, the rest withheld. */
  const cut = () => {
    const valueEnd = closeAt >= 0 ? closeAt : held.length;
    const stop = Math.min(valueEnd, textStart + MAX_FIELD_LINE);
    region(held.slice(0, stop), cdata ? `]]></${closeName}>` : `</${closeName}>`);
    if (closeAt >= 0) again = held.slice(closeAt);
    held = '';
    phase = closeAt >= 0 ? 'none' : 'drop';
    dropUntil = cdata ? ']]>' : '<';
  };

  const tagDone = () => {
    tagEnd = held.length;
    const name = held.slice(1, 1 + nameLength);
    const needs = startTagNeeds(name, held.slice(1 + nameLength, -1), options.isSecretName);
    if (needs === null) {
      region(held);
      held = '';
      phase = 'none';
    } else startText(needs === 'key' ? 'key' : name, needs === 'key');
  };

  const readTag = (s: string, i: number): number => {
    const from = i;
    while (attrsLength < 0 && i < s.length) {
      const c = s[i]!;
      if (nameLength === 0 ? NAME_START.test(c) : NAME_CHAR.test(c)) {
        if (++nameLength > MAX_TAG_NAME) break;
        i++;
      } else if (nameLength > 0 && c === '>') {
        held += s.slice(from, i + 1);
        tagDone();
        return i + 1;
      } else if (nameLength > 0 && SPACE.test(c)) {
        attrsLength = 0;
        i++;
      } else break;
    }
    if (attrsLength < 0) {
      held += s.slice(from, i);
      if (i < s.length) fail();
      return i;
    }
    ANGLE.lastIndex = i;
    const angle = ANGLE.exec(s);
    const stop = angle ? angle.index : s.length;
    if (attrsLength + (stop - i) > MAX_ATTRS) {
      held += s.slice(from, i);
      fail();
      return i;
    }
    attrsLength += stop - i;
    if (angle?.[0] === '>') {
      held += s.slice(from, stop + 1);
      tagDone();
      return stop + 1;
    }
    held += s.slice(from, stop);
    if (angle) fail();
    return stop;
  };

  /** Matches the closing tag from s[i]; the region is decided once it is whole or cannot be. */
  const readClose = (s: string, i: number, from: number): number => {
    const want = `</${closeName}>`;
    while (i < s.length && closeSeen < want.length) {
      if (s[i] !== want[closeSeen]) {
        held += s.slice(from, i);
        fail();
        return i;
      }
      closeSeen++;
      i++;
    }
    held += s.slice(from, i);
    if (closeSeen < want.length) return i;
    if (!isKey) {
      region(held);
      held = '';
      phase = 'none';
    } else if (!options.isSecretName(held.slice(textStart, closeAt).trim())) fail();
    else {
      phase = 'gap';
      gapSpaces = 0;
      gapSeen = '';
    }
    return i;
  };

  /** Past the bound a value is cut; a property list's key that long is no field name. */
  const overBound = (valueLength: number): boolean => {
    if (valueLength <= MAX_FIELD_LINE) return false;
    if (isKey) fail();
    else cut();
    return true;
  };

  const readText = (s: string, i: number): number => {
    const from = i;
    if (cdata === null) {
      while (i < s.length && cdataSeen < CDATA_OPEN.length && s[i] === CDATA_OPEN[cdataSeen]) {
        cdataSeen++;
        i++;
      }
      if (cdataSeen === CDATA_OPEN.length) cdata = true;
      else if (i === s.length) {
        held += s.slice(from, i);
        return i;
      } else {
        cdata = false;
        // `<` then not `!`: the text ended at once and this may be the closing tag.
        if (cdataSeen === 1) {
          closeAt = textStart;
          closeSeen = 1;
        } else if (cdataSeen > 1) {
          held += s.slice(from, i);
          fail();
          return i;
        }
      }
    }
    if (closeAt >= 0) return readClose(s, i, from);
    if (!cdata) {
      const lt = s.indexOf('<', i);
      const end = lt < 0 ? s.length : lt;
      const length = held.length + (end - from) - textStart;
      if (length > MAX_FIELD_LINE) {
        held += s.slice(from, end);
        overBound(length);
        return end;
      }
      if (lt < 0) {
        held += s.slice(from);
        return s.length;
      }
      closeAt = held.length + (lt - from);
      closeSeen = 0;
      return readClose(s, lt, from);
    }
    // A CDATA section: to its first `]]>`, read across pieces.
    while (i < s.length) {
      if (brackets === 0) {
        const b = s.indexOf(']', i);
        if (b < 0) {
          i = s.length;
          break;
        }
        i = b;
      }
      const c = s[i]!;
      i++;
      if (c === ']') brackets++;
      else if (c === '>' && brackets >= 2) {
        closeAt = held.length + (i - from) - 3;
        break;
      } else brackets = 0;
    }
    const length = (closeAt >= 0 ? closeAt : held.length + (i - from)) - textStart;
    if (length > MAX_FIELD_LINE) {
      // Cut: the rest is withheld up to the `]]>`, read again from there if it is already here.
      held += s.slice(from, i);
      overBound(length);
      return i;
    }
    if (closeAt < 0) {
      held += s.slice(from, i);
      return i;
    }
    return readClose(s, i, from);
  };

  const readGap = (s: string, i: number): number => {
    const from = i;
    while (i < s.length && gapSeen.length === 0 && SPACE.test(s[i]!)) {
      if (++gapSpaces > MAX_KEY_GAP) {
        held += s.slice(from, i);
        fail();
        return i;
      }
      i++;
    }
    while (i < s.length) {
      gapSeen += s[i]!;
      i++;
      const whole = PLIST_VALUES.find((t) => t === gapSeen);
      if (whole) {
        held += s.slice(from, i);
        startText(whole.slice(1, -1), false);
        return i;
      }
      if (!PLIST_VALUES.some((t) => t.startsWith(gapSeen))) {
        held += s.slice(from, i);
        fail();
        return i;
      }
    }
    held += s.slice(from, i);
    return i;
  };

  const readDrop = (s: string, i: number): number => {
    if (dropUntil === '<') {
      const lt = s.indexOf('<', i);
      if (lt < 0) return s.length;
      phase = 'none';
      return lt;
    }
    while (i < s.length) {
      const c = s[i]!;
      i++;
      if (c === ']') brackets++;
      else if (c === '>' && brackets >= 2) {
        phase = 'none';
        plain(']]>');
        return i;
      } else brackets = 0;
    }
    return i;
  };

  const step = (s: string, i: number): number => {
    switch (phase) {
      case 'none': {
        const lt = s.indexOf('<', i);
        if (lt < 0) {
          plain(i === 0 ? s : s.slice(i));
          return s.length;
        }
        plain(s.slice(i, lt));
        held = '<';
        phase = 'tag';
        nameLength = 0;
        attrsLength = -1;
        return lt + 1;
      }
      case 'tag':
        return readTag(s, i);
      case 'text':
        return readText(s, i);
      case 'gap':
        return readGap(s, i);
      case 'drop':
        return readDrop(s, i);
    }
  };

  /** Reads `chunk`, and before the rest of it whatever a failed region gives to read again. */
  const feed = (chunk: string) => {
    const frames = [{ s: chunk, i: 0 }];
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      if (f.i >= f.s.length) {
        frames.pop();
        continue;
      }
      f.i = step(f.s, f.i);
      if (again !== null) {
        frames.push({ s: again, i: 0 });
        again = null;
      }
    }
  };

  /** Decides what is held with no more text to come ('end'), or before a caller's field ('flush'). */
  const settle = (mode: 'flush' | 'end') => {
    for (;;) {
      if (phase === 'none') return;
      if (phase === 'drop') {
        if (mode === 'end') {
          held = '';
          phase = 'none';
        }
        return;
      }
      if (phase === 'text' && mode === 'flush' && !isKey && cdata !== null) cut();
      else fail();
      const rest = again as string | null;
      again = null;
      if (rest !== null) feed(rest);
    }
  };

  let ended = false;
  return {
    push(chunk) {
      if (ended) throw new Error('stream masker: push after end');
      if (chunk.length > 0) feed(chunk);
      handOn();
      const result = out;
      out = '';
      return result;
    },
    flush() {
      settle('flush');
      handOn();
      const result = out + text.end();
      text = options.inner();
      out = '';
      return result;
    },
    end() {
      if (ended) return '';
      ended = true;
      settle('end');
      handOn();
      const result = out + text.end();
      out = '';
      return result;
    },
  };
}
