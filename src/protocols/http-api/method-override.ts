// Requests that ask the upstream to act as another method than the one sent: the
// `X-HTTP-Method-Override` family of headers, and a `_method` parameter in the query, a form body
// or a JSON body (Rails, Laravel, Symfony, Express's method-override honour one or more of them).
// The rules judge the method Vigil sees, so a POST carrying `_method=DELETE` would pass a rule that
// denies DELETE and then run as one: Vigil cannot know whether the upstream honours it, so it
// refuses (fail closed). A client needing PATCH or DELETE sends that method; Vigil forwards any.
import { VigilError } from '../../core/errors.js';
import { cgiHeaderName } from '../../http/forward-headers.js';
import { bodyTexts } from './body-text.js';

const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

/**
 * Parameter names (lower case) that ask for another method: `_method` (Rails, Laravel, Symfony,
 * ASP.NET Core, Gorilla) and `_HttpMethod`, which Salesforce's REST API honours in the query.
 */
const OVERRIDE_PARAMS = ['_method', '_httpmethod'] as const;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The method the request asks to be run as instead of `method`, or null when it asks for none. */
export function methodOverride(
  method: string,
  headers: Headers,
  search: string,
  contentType: string | undefined,
  body: Uint8Array,
): string | null {
  const differs = (value: string) => (value.trim().toUpperCase() !== method ? value.trim() : null);
  // By the name a CGI-style upstream reads: X_HTTP_Method_Override is X-HTTP-Method-Override there.
  for (const [name, value] of Object.entries(headers)) {
    if (!(OVERRIDE_HEADERS as readonly string[]).includes(cgiHeaderName(name))) continue;
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      const other = differs(v);
      if (other !== null) return other;
    }
  }
  const fromParams = (text: string) => {
    for (const value of overrideParams(text)) {
      const other = differs(value);
      if (other !== null) return other;
    }
    return null;
  };
  const inQuery = fromParams(search.replace(/^\?/, ''));
  if (inQuery !== null) return inQuery;
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
      const inForm = fromParams(reading);
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
      const inJson = jsonOverride(reading, differs);
      if (inJson !== null) return inJson;
    }
  }
  return null;
}

/** The `_method` a JSON text's top level names, when it differs from the method sent. */
function jsonOverride(text: string, differs: (value: string) => string | null): string | null {
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
  return typeof v === 'string' ? differs(v) : String(v);
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
 * Whether a parameter name is `_method` as PHP reads it (Laravel, Symfony): as a C string (cut at
 * a NUL), leading spaces dropped, `.`, ` ` and an unclosed `[` turned into `_`, so `.method`,
 * `[method` and `_method%00x` are `_method`, and `_method[]` an array of it. Or as Rack 2 reads it
 * (Rails up to 7.0): brackets before it and after it dropped, so `[_method]` and `]_method]` are
 * `_method`. In any case: ASP.NET Core's form, which its method-override middleware reads a
 * `_method` field from, looks names up ignoring case (`_METHOD`).
 */
function isMethodParam(name: string): boolean {
  const lower = name.toLowerCase();
  const php = lower.split('\u0000', 1)[0]!.trimStart();
  const bracket = php.indexOf('[');
  const base = bracket >= 0 && php.indexOf(']', bracket) > bracket ? php.slice(0, bracket) : php;
  const rack = /^[[\]]*([^[\]]+)\]*$/.exec(lower)?.[1];
  const named = (n: string | undefined) =>
    n !== undefined && (OVERRIDE_PARAMS as readonly string[]).includes(n);
  return [php, base].some((n) => named(n.replace(/[ .[]/g, '_'))) || named(rack);
}

/**
 * The values of every parameter an upstream may read as `_method` in a query or form text: split on
 * `&`, and on `;` too (Rack 2, Python before 3.10), with the name as PHP reads it (isMethodParam).
 */
function overrideParams(text: string): string[] {
  const values: string[] = [];
  for (const separated of new Set([text, text.replaceAll(';', '&')])) {
    for (const [name, value] of new URLSearchParams(separated)) {
      if (isMethodParam(name)) values.push(value);
    }
  }
  return values;
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

export function methodOverrideRefused(method: string): VigilError {
  return new VigilError(
    'method_override_refused',
    `the request asks to be run as another method than ${method} (a method override), which Vigil does not forward`,
    { details: { rule: 'method-override' } },
  );
}
