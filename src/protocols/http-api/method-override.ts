// Requests that ask the upstream to act as another method than the one sent: the
// `X-HTTP-Method-Override` family of headers, and a `_method` parameter in the query, a form body
// or a JSON body (Rails, Laravel, Symfony, Express's method-override honour one or more of them).
// The rules judge the method Vigil sees, so a POST carrying `_method=DELETE` would pass a rule that
// denies DELETE and then run as one: Vigil cannot know whether the upstream honours it, so it
// refuses (fail closed). A client needing PATCH or DELETE sends that method; Vigil forwards any.
import { VigilError } from '../../core/errors.js';
import { cgiHeaderName } from '../../http/forward-headers.js';

const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'] as const;

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
  const type = fullType.split(';')[0]!.trim();
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  // Rack reads a POST without a content type as a form.
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    const inForm = fromParams(text);
    if (inForm !== null) return inForm;
  }
  if (type.startsWith('multipart/')) {
    // A part named _method, whatever its value: reading the parts is not worth the doubt. Rack
    // reads multipart/mixed and multipart/related as forms too.
    if (/name\s*\*?=\s*(?:"|utf-8'[^']*')?\s*(?:_|%5f|[ .[])method(?![\w-])/i.test(text))
      return '(a _method form part)';
  } else if (fullType.includes('/json') || fullType.includes('+json')) {
    // Laravel reads any content type that names /json or +json as JSON.
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && '_method' in value) {
        const v = (value as Record<string, unknown>)._method;
        return typeof v === 'string' ? differs(v) : String(v);
      }
    } catch {
      // Not JSON after all: nothing an upstream's JSON parser would read an override from.
    }
  }
  return null;
}

/**
 * The values of every parameter an upstream may read as `_method` in a query or form text: split on
 * `&`, and on `;` too (Rack 2, Python before 3.10); with the name as PHP reads it (Laravel,
 * Symfony): leading spaces dropped, `.`, ` ` and an unclosed `[` turned into `_`, so `.method` and
 * `[method` are `_method`, and `_method[]` an array of it.
 */
function overrideParams(text: string): string[] {
  const values: string[] = [];
  for (const separated of new Set([text, text.replaceAll(';', '&')])) {
    for (const [name, value] of new URLSearchParams(separated)) {
      const php = name.trimStart();
      const bracket = php.indexOf('[');
      const base = bracket >= 0 && php.indexOf(']', bracket) > bracket ? php.slice(0, bracket) : php;
      if ([php, base].some((n) => n.replace(/[ .[]/g, '_') === '_method')) values.push(value);
    }
  }
  return values;
}

export function methodOverrideRefused(method: string): VigilError {
  return new VigilError(
    'method_override_refused',
    `the request asks to be run as another method than ${method} (a method override), which Vigil does not forward`,
    { details: { rule: 'method-override' } },
  );
}
