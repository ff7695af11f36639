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
  for (const v of new URLSearchParams(search).getAll('_method')) {
    const other = differs(v);
    if (other !== null) return other;
  }
  if (body.length === 0) return null;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    for (const v of new URLSearchParams(text).getAll('_method')) {
      const other = differs(v);
      if (other !== null) return other;
    }
  } else if (type === 'multipart/form-data') {
    // A part named _method, whatever its value: reading the parts is not worth the doubt.
    if (/name\s*=\s*"?_method"?/i.test(text)) return '(a _method form part)';
  } else if (type === 'application/json' || type.endsWith('+json')) {
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

export function methodOverrideRefused(method: string): VigilError {
  return new VigilError(
    'method_override_refused',
    `the request asks to be run as another method than ${method} (a method override), which Vigil does not forward`,
    { details: { rule: 'method-override' } },
  );
}
