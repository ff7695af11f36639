// Bodies that carry further requests for the upstream to run: a batch. Microsoft Graph and OData
// (`POST /v1.0/$batch`, `{"requests": [{"method": "DELETE", "url": "/users/…"}]}`), Salesforce's
// composite and batch resources (`compositeRequest`, `batchRequests`, `graphs`), Facebook's Graph
// API (a `batch` field in a form, the query or a JSON body) and Google's and OData's multipart batches (parts of type
// `application/http`, each a whole request line) run every request inside with the credential Vigil
// injected, on paths the rules never read: a `POST /$batch` that the rules allow ran a `DELETE` under
// a path they deny (until 6 December). The inner paths are often relative to a root Vigil cannot
// know (Graph's `/users` is under `/v1.0`), so it does not judge them: such a body is refused unless
// the connection sets `batch_requests_forwarded`.
import { VigilError } from '../../core/errors.js';
import { bodyTexts } from './body-text.js';

/** Top-level JSON keys under which the APIs above list the requests they run (read ignoring case). */
const JSON_BATCH_KEYS = new Set(['requests', 'compositerequest', 'batchrequests', 'graphs', 'batch']);
/** Keys an inner request names its target by. */
const REQUEST_KEYS = new Set(['url', 'relative_url', 'method', 'compositerequest']);

/** What makes a request a batch (for the record), or null when it carries no further requests. */
export function batchBody(contentType: string | undefined, body: Uint8Array, search = ''): string | null {
  // Facebook reads its parameters from the query as well as from the body.
  if (batchField(search)) return 'a query parameter named batch';
  if (body.length === 0) return null;
  const type = (contentType ?? '').toLowerCase().split(/[;,\s]/, 1)[0]!;
  const raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  for (const text of new Set([raw, ...bodyTexts(body, contentType)])) {
    // A multipart batch: each part a request (`Content-Type: application/http`, or `msgtype=request`).
    if (type.startsWith('multipart/') && /^content-type[ \t]*:[ \t]*application\/http\b/im.test(text)) {
      return 'a multipart part of type application/http';
    }
    const inJson = jsonBatch(text);
    if (inJson !== null) return inJson;
    // Facebook reads a `batch` field in a form (or in the query, which is the same parser).
    if (type === '' || type === 'application/x-www-form-urlencoded') {
      if (batchField(text)) return 'a form field named batch';
    }
  }
  return null;
}

/** Whether a form or query holds a `batch` field listing requests. */
function batchField(params: string): boolean {
  for (const [name, value] of new URLSearchParams(params)) {
    if (name.trim().toLowerCase() === 'batch' && jsonRequests(value)) return true;
  }
  return false;
}

/** The batch key a JSON text's top level holds, or null. Not JSON: null. */
function jsonBatch(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (JSON_BATCH_KEYS.has(key.toLowerCase()) && holdsRequests(inner)) return `a JSON field named ${key}`;
  }
  return null;
}

function jsonRequests(text: string): boolean {
  try {
    return holdsRequests(JSON.parse(text));
  } catch {
    return false;
  }
}

/** An array with an object naming a method, a URL or (Salesforce's graphs) a composite request. */
function holdsRequests(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.some(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        Object.keys(item).some((k) => REQUEST_KEYS.has(k.toLowerCase())),
    )
  );
}

export function batchRefused(found: string): VigilError {
  return new VigilError(
    'batch_refused',
    `the request body holds further requests for the upstream to run (${found}), which the rules cannot judge: the connection must set batch_requests_forwarded`,
    { details: { found, rule: 'batch_requests_forwarded' } },
  );
}
