// Header handling at the trust boundary: the client's key header carries its Vigil token and is
// never forwarded; the real upstream credential is injected here and nowhere else.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { LlmFlavour } from './routes.js';

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus ones we set ourselves. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/** Every header that may carry a credential of the client's: stripped before forwarding. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-api-key', 'api-key', 'cookie']);

/** The Vigil token from whichever header the client's SDK uses for its API key. */
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

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  flavour: LlmFlavour,
  credential: string | null,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      CREDENTIAL_HEADERS.has(name) ||
      name.startsWith('x-vigil-')
    ) {
      continue;
    }
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // Recording needs the plain body; compression on loopback or a LAN buys little.
  out['accept-encoding'] = 'identity';
  if (credential !== null) {
    if (flavour === 'llm-openai') out.authorization = `Bearer ${credential}`;
    else out['x-api-key'] = credential;
  }
  return out;
}

export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie') continue;
    out[name] = value;
  }
  return out;
}
