// Requests that ask the upstream to act as another method than the one sent: the
// `X-HTTP-Method-Override` family of headers, and a `_method` parameter (Rails, Laravel, Symfony,
// ASP.NET Core, Express's method-override honour one or more of them). Rules judge the method Vigil
// sees, so a POST carrying `_method=DELETE` would pass a rule that denies DELETE and then run as
// one. Vigil cannot know whether an upstream honours an override, so every module that forwards
// HTTP refuses one (fail closed). This file reads the headers and the query string, which every such
// module forwards as they came; each module reads its own bodies (a form or multipart body for the
// http-api module, the JSON object a model API takes for the llm module).
import { VigilError } from '../core/errors.js';
import { cgiHeaderName } from './forward-headers.js';

const OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

/**
 * Parameter names (lower case) that ask for another method: `_method` (Rails, Laravel, Symfony,
 * ASP.NET Core, Gorilla) and `_HttpMethod`, which Salesforce's REST API honours in the query.
 */
const OVERRIDE_PARAMS: ReadonlySet<string> = new Set(['_method', '_httpmethod']);

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** `value` when it names another method than `method`, else null. */
export function otherMethod(method: string, value: string): string | null {
  return value.trim().toUpperCase() !== method ? value.trim() : null;
}

/**
 * The method an override header or a query parameter asks for instead of `method`, or null when
 * they ask for none.
 */
export function headerOrQueryOverride(method: string, headers: Headers, search: string): string | null {
  for (const [name, value] of Object.entries(headers)) {
    // By the name a CGI-style upstream reads: X_HTTP_Method_Override is X-HTTP-Method-Override there.
    if (!OVERRIDE_HEADERS.has(cgiHeaderName(name))) continue;
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      const other = otherMethod(method, v);
      if (other !== null) return other;
    }
  }
  return paramsOverride(method, search.replace(/^\?/, ''));
}

/** The method a `_method` parameter of a query or form text asks for instead of `method`. */
export function paramsOverride(method: string, text: string): string | null {
  for (const value of overrideParams(text)) {
    const other = otherMethod(method, value);
    if (other !== null) return other;
  }
  return null;
}

/**
 * Whether a parameter name is `_method` as PHP reads it (Laravel, Symfony): as a C string (cut at
 * a NUL), leading spaces dropped, `.`, ` ` and an unclosed `[` turned into `_`, so `.method`,
 * `[method` and `_method%00x` are `_method`, and `_method[]` an array of it. Or as Rack 2 reads it
 * (Rails up to 7.0): brackets before it and after it dropped, so `[_method]` and `]_method]` are
 * `_method`. In any case: ASP.NET Core's form, which its method-override middleware reads a
 * `_method` field from, looks names up ignoring case (`_METHOD`).
 */
export function isMethodParam(name: string): boolean {
  const lower = name.toLowerCase();
  // Every reading below only cuts or replaces what is around the letters, so a name that reads as
  // `_method` or `_httpmethod` spells `method` already: the rest is skipped for every other name.
  if (!lower.includes('method')) return false;
  const php = lower.split('\u0000', 1)[0]!.trimStart();
  const bracket = php.indexOf('[');
  const base = bracket >= 0 && php.indexOf(']', bracket) > bracket ? php.slice(0, bracket) : php;
  const rack = /^[[\]]*([^[\]]+)\]*$/.exec(lower)?.[1];
  const named = (n: string | undefined) => n !== undefined && OVERRIDE_PARAMS.has(n);
  return [php, base].some((n) => named(n.replace(/[ .[]/g, '_'))) || named(rack);
}

/**
 * The values of every parameter an upstream may read as `_method` in a query or form text: split on
 * `&`, and on `;` too (Rack 2, Python before 3.10), with the name as PHP reads it (isMethodParam).
 */
function overrideParams(text: string): string[] {
  const values: string[] = [];
  // No query at all (nearly every model request): there is nothing to read.
  if (text === '') return values;
  for (const separated of new Set([text, text.replaceAll(';', '&')])) {
    for (const [name, value] of new URLSearchParams(separated)) {
      if (isMethodParam(name)) values.push(value);
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
