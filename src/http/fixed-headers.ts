// Headers a connection sets on every forwarded request, whatever the client sent. An upstream
// credential often serves more than one account: an OpenAI key several projects (`OpenAI-Project`),
// an Anthropic key several beta features (`anthropic-beta`), a SaaS token several tenants. The
// client's header of that name would pick which one the injected credential acts for; the
// connection's value replaces it. (`upstream_headers` in the connection's configuration.)
import { z } from 'zod';
import { isClientCredentialHeader } from './credentials.js';
import { cgiHeaderName } from './forward-headers.js';

/** Names Vigil sets or drops itself: a fixed value there would be ignored or would break framing. */
const RESERVED = new Set([
  'host',
  'content-length',
  'content-encoding',
  'accept-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why a header cannot be fixed by configuration, or null when it can. */
function refusedName(name: string): string | null {
  const lower = name.toLowerCase();
  if (!HEADER_NAME.test(name)) return 'must be an HTTP header name';
  if (RESERVED.has(lower)) return 'is a header Vigil sets or drops itself';
  if (isClientCredentialHeader(lower))
    return 'carries a credential: the upstream credential is injected from `credential`';
  if (lower.startsWith('x-vigil-')) return "is Vigil's own header, never forwarded";
  return null;
}

export const upstreamHeadersSchema = z
  // A value with a line break or NUL would be refused by the HTTP client at the first request.
  .record(z.string(), z.string().regex(/^[^\r\n\0]*$/, 'must not hold a line break or NUL'))
  .superRefine((headers, ctx) => {
    // Checked here rather than as the record's key schema, whose own message names no reason.
    for (const name of Object.keys(headers)) {
      const reason = refusedName(name);
      if (reason) ctx.addIssue({ code: 'custom', path: [name], message: reason });
    }
  })
  .default({});

/**
 * Sets a header Vigil decides on `out` (a credential, a pinned tenant), replacing every header of the
 * client's that an upstream may read as the same one: `X_Tenant` reaches a CGI-style server (WSGI,
 * Rack, PHP) as `HTTP_X_TENANT`, as `X-Tenant` does, and may win over it there.
 */
export function setUpstreamHeader(out: Record<string, string>, name: string, value: string): void {
  removeUpstreamHeader(out, name);
  out[name.toLowerCase()] = value;
}

/** Removes a header from `out` in every spelling a CGI-style server reads as `name`. */
export function removeUpstreamHeader(out: Record<string, string>, name: string): void {
  const read = cgiHeaderName(name);
  for (const key of Object.keys(out)) if (cgiHeaderName(key) === read) delete out[key];
}

/** Sets the connection's fixed headers on `out` (lower-cased names, as Node gives the client's), replacing the client's. */
export function applyFixedHeaders(
  out: Record<string, string>,
  fixed: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of Object.entries(fixed)) setUpstreamHeader(out, name, value);
}
