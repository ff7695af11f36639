// The method override a request's body asks for, read as each upstream that honours one reads a
// body: a form, a multipart form or JSON. The headers and the query are read by
// src/http/method-override.ts, shared with the llm module.
import {
  headerOrQueryOverride,
  isMethodParam,
  otherMethod,
  paramsOverride,
} from '../../http/method-override.js';
import { bodyTexts } from './body-text.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The method the request asks to be run as instead of `method`, or null when it asks for none. */
export function methodOverride(
  method: string,
  headers: Headers,
  search: string,
  contentType: string | undefined,
  body: Uint8Array,
): string | null {
  const inHeaderOrQuery = headerOrQueryOverride(method, headers, search);
  if (inHeaderOrQuery !== null) return inHeaderOrQuery;
  if (body.length === 0) return null;
  const fullType = (contentType ?? '').toLowerCase();
  const type = mediaType(fullType);
  const raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  // Read both as UTF-8 (PHP and Rack read the bytes, whatever the charset) and in the charset the
  // content type names (Express's body-parser decodes by it, dropping a byte-order mark).
  const readings = [...new Set([raw, ...bodyTexts(body, contentType)])];
  // Rack reads a POST without a content type as a form, and a multipart body it finds no boundary
  // in as a plain form too.
  if (type === 'application/x-www-form-urlencoded' || type === '' || type.startsWith('multipart/')) {
    for (const reading of readings) {
      const inForm = paramsOverride(method, reading);
      if (inForm !== null) return inForm;
    }
  }
  if (type.startsWith('multipart/')) {
    // A part named _method, whatever its value: reading the parts is not worth the doubt. Rack
    // reads multipart/mixed and multipart/related as forms too.
    if (multipartNames(raw).some(isMethodParam)) return '(a _method form part)';
  }
  if (fullType.includes('/json') || fullType.includes('+json')) {
    // Laravel reads any content type that names /json or +json as JSON.
    for (const reading of readings) {
      const inJson = jsonOverride(method, reading);
      if (inJson !== null) return inJson;
    }
  }
  return null;
}

/** The `_method` a JSON text's top level names, when it differs from the method sent. */
function jsonOverride(method: string, text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON after all: nothing an upstream's JSON parser would read an override from.
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('_method' in value))
    return null;
  const v = (value as Record<string, unknown>)._method;
  return typeof v === 'string' ? otherMethod(method, v) : String(v);
}

/**
 * A body's media type as the upstreams that read `_method` from it cut it: PHP at the first `;`,
 * `,` or space, Rack at the first `;` or `,`. So `application/x-www-form-urlencoded, text/plain`
 * is a form to both, though a strict parser would call it malformed.
 */
function mediaType(contentType: string): string {
  return contentType.split(/[;,\s]/, 1)[0]!;
}

/**
 * Every name a multipart body's parts may be given, read loosely, as any of the parsers that read
 * `_method` from one may read it: a `name` (or RFC 5987 `name*`) parameter quoted with `"` (Rack
 * undoes backslash escapes in it) or `'` (PHP), or unquoted; and a `Content-ID`, which Rack names a
 * part by when it has no `name`; the value may follow on a folded line (PHP joins them). Found
 * anywhere in the text, boundaries unread: a false match only refuses a request.
 */
function multipartNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/(?:\bname\s*(?:\*\s*)?=|content-id\s*:)\s*([^;\r\n]*)/gi)) {
    // An RFC 5987 value (`utf-8''%5Fmethod`) is percent-encoded after its charset and language.
    let value = m[1]!.trim().replace(/^[\w!#$%&+^`{}~-]+'[^']*'/, '');
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoding: read as written.
    }
    names.push(value.replace(/["'\\]/g, ''));
  }
  return names;
}
