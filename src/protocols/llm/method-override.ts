// A model request that asks the upstream to run it as another method: the X-HTTP-Method-Override
// family of headers, or `_method` (`_HttpMethod`) in the query or at the top of the JSON body
// (Rails, Laravel, Symfony and Express's method-override honour one or more of them). The route
// table admits a method and path Vigil knows how to judge and record; run as another method, the
// same path is another endpoint (POST /v1/chat/completions as GET lists an organisation's stored
// completions, GET /v1/models/{id} as DELETE deletes a fine-tuned model). Vigil cannot know whether
// the upstream honours one, so it refuses (fail closed), as the http-api module does.
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { cgiHeaderName } from '../../http/forward-headers.js';

const OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);
/** Parameter names, compared in lower case: `_method`, and Salesforce's `_HttpMethod`. */
const OVERRIDE_PARAMS: ReadonlySet<string> = new Set(['_method', '_httpmethod']);

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Throws method_override_refused when the request asks to be run as another method than `method`. */
export function assertNoMethodOverride(
  method: string,
  headers: Headers,
  search: string,
  body: JsonValue,
): void {
  const asks = (value: unknown) => typeof value !== 'string' || value.trim().toUpperCase() !== method;
  for (const [name, value] of Object.entries(headers)) {
    // By the name a CGI-style upstream reads: X_HTTP_Method_Override is X-HTTP-Method-Override there.
    if (!OVERRIDE_HEADERS.has(cgiHeaderName(name))) continue;
    for (const v of Array.isArray(value) ? value : [value])
      if (v !== undefined && asks(v)) throw refused(method);
  }
  for (const [name, value] of new URLSearchParams(search)) {
    if (OVERRIDE_PARAMS.has(name.toLowerCase()) && asks(value)) throw refused(method);
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) {
      if (OVERRIDE_PARAMS.has(name.toLowerCase()) && asks(value)) throw refused(method);
    }
  }
}

function refused(method: string): VigilError {
  return new VigilError(
    'method_override_refused',
    `the request asks to be run as another method than ${method} (a method override), which Vigil does not forward`,
    { details: { rule: 'method-override' } },
  );
}
