// Secret-named fields written as XML inside a text value (a SOAP body an HTTP API connection records
// as text, a tool result, a config file read by an agent): the text of an element whose name says
// secret (`<password>…</password>`, `<ns:ApiKey>…</ns:ApiKey>`, also in CDATA), a secret-named
// attribute (`<user apiKey="…">`), a name/value pair written as attributes (`<add key="ApiToken"
// value="…"/>`, `<param name="password" value="…"/>`, Java's `<entry key="secret">…</entry>`) and a
// property list's `<key>password</key><string>…</string>`. Until 6 December these were left to the
// text rules, which know `password="…"` but not an element's text, so a SOAP login's password of
// words was recorded as sent. Spans of the raw text (entities left as written); embedded-fields.ts
// renders them as it renders a JSON field.
import type { SecretNameMatcher } from './secret-names.js';

export interface XmlFieldSpan {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** A start tag (or an empty-element tag): its name and attributes. */
const TAG = /<([A-Za-z_][\w.:-]{0,127})((?:\s[^<>]{0,1024})?)>/g;
const ATTRIBUTE = /([A-Za-z_][\w.:-]{0,127})\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
/** Attributes that name the field a `value` attribute or the element's text holds. */
const NAME_ATTRIBUTES = new Set(['key', 'name']);
const CDATA_OPEN = '<![CDATA[';

const localName = (name: string) => name.slice(name.lastIndexOf(':') + 1);

/** Whether a text may hold XML: a closing tag or an empty-element tag. */
export function mayHoldXml(text: string): boolean {
  return text.includes('</') || text.includes('/>');
}

export function xmlFieldSpans(
  text: string,
  secretName: SecretNameMatcher,
  isSecret: (name: string, value: string) => boolean,
): XmlFieldSpan[] {
  const out: XmlFieldSpan[] = [];
  const add = (start: number, end: number, name: string) => {
    // Whitespace around an element's text is layout, not value.
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start && isSecret(name, text.slice(start, end))) out.push({ start, end, name });
  };
  for (const tag of text.matchAll(TAG)) {
    const name = tag[1]!;
    const attrs = tag[2] ?? '';
    const empty = attrs.endsWith('/');
    const tagEnd = tag.index + tag[0].length;
    const attrsAt = tag.index + 1 + name.length;
    let fieldName: string | null = null;
    let valueAttr: { start: number; end: number } | null = null;
    for (const a of attrs.matchAll(ATTRIBUTE)) {
      const attr = localName(a[1]!);
      const value = a[2] ?? a[3] ?? '';
      const valueEnd = attrsAt + a.index + a[0].length - 1;
      const valueStart = valueEnd - value.length;
      if (NAME_ATTRIBUTES.has(attr.toLowerCase()) && secretName(value)) fieldName = value;
      else if (attr.toLowerCase() === 'value') valueAttr = { start: valueStart, end: valueEnd };
      else if (secretName(attr)) add(valueStart, valueEnd, attr);
    }
    if (fieldName !== null && valueAttr !== null) add(valueAttr.start, valueAttr.end, fieldName);
    if (empty) continue;
    const own = localName(name);
    const elementName = fieldName ?? (secretName(own) ? own : null);
    if (elementName !== null && valueAttr === null) {
      const content = elementText(text, tagEnd, name);
      if (content) add(content.start, content.end, elementName);
    } else if (own === 'key') {
      // A property list: <key>password</key> then the value's element (<string>…</string>).
      const content = elementText(text, tagEnd, name);
      const key = content ? text.slice(content.start, content.end).trim() : '';
      if (!content || !secretName(key)) continue;
      const next = /^<\/key>\s{0,256}<(string|data)>/.exec(text.slice(content.end, content.end + 300));
      if (!next) continue;
      const value = elementText(text, content.end + next[0].length, next[1]!);
      if (value) add(value.start, value.end, key);
    }
  }
  return out;
}

/**
 * What a start tag's field still needs after the tag (read as xmlFieldSpans reads it, for a stream
 * that must hold the element until the field is whole): its element text, a property list's
 * `</key>` and value element, or nothing (its attributes alone are its fields). `attrs` is the tag's
 * text between its name and `>`. A `key` element with a prefix never leads to a value there (the
 * property list's value is looked for after a bare `</key>`).
 */
export function startTagNeeds(
  name: string,
  attrs: string,
  secretName: SecretNameMatcher,
): 'text' | 'key' | null {
  if (attrs.endsWith('/')) return null;
  let fieldName: string | null = null;
  let valueAttr = false;
  for (const a of attrs.matchAll(ATTRIBUTE)) {
    const attr = localName(a[1]!).toLowerCase();
    const value = a[2] ?? a[3] ?? '';
    if (NAME_ATTRIBUTES.has(attr) && secretName(value)) fieldName = value;
    else if (attr === 'value') valueAttr = true;
  }
  const own = localName(name);
  if ((fieldName !== null || secretName(own)) && !valueAttr) return 'text';
  return name === 'key' ? 'key' : null;
}

/** The text of the element whose start tag ends at `from`, when it holds text only (or a CDATA). */
function elementText(text: string, from: number, name: string): { start: number; end: number } | null {
  if (text.startsWith(CDATA_OPEN, from)) {
    const close = text.indexOf(']]>', from);
    if (close < 0 || !text.startsWith(`</${name}>`, close + 3)) return null;
    return { start: from + CDATA_OPEN.length, end: close };
  }
  const lt = text.indexOf('<', from);
  if (lt < 0 || !text.startsWith(`</${name}>`, lt)) return null;
  return { start: from, end: lt };
}
