// Where a client's credential sits in an HTTP request. Every HTTP entry point (model traffic, the
// admin API, any later HTTP protocol) takes the Vigil token from the same headers, so a client SDK
// that works against one works against all; and whatever forwards a request must strip every header
// that may carry a credential of the client's, so the set is kept here, next to the extraction.
import type { IncomingHttpHeaders } from 'node:http';

/** Every header that may carry a credential of the client's (names as Node gives them: lower case). */
const CLIENT_CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
]);

export function isClientCredentialHeader(name: string): boolean {
  return CLIENT_CREDENTIAL_HEADERS.has(name.toLowerCase());
}

/**
 * The Vigil token from whichever header the client's SDK uses for its API key: `Authorization:
 * Bearer` (OpenAI SDKs, curl), else `x-api-key` (Anthropic SDKs), else `api-key` (Azure OpenAI SDKs).
 * An Authorization header of another scheme, or a Bearer without a token, carries no token, so the
 * key headers are consulted instead. Null when the request carries none.
 */
export function extractClientToken(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  for (const name of ['x-api-key', 'api-key'] as const) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}
