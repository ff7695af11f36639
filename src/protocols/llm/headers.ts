// Header handling at the trust boundary of a model connection: the client's key header carries its
// Vigil token and is never forwarded (src/http/forward-headers.ts drops it); the real upstream
// credential is injected here and nowhere else, in the header the provider's API expects. The
// connection's `upstream_headers` (fixed-headers.ts) replace the client's headers of those names.
// A forwarded body is labelled as what Vigil read it as: JSON in UTF-8.
import type { IncomingHttpHeaders } from 'node:http';
import { applyFixedHeaders, removeUpstreamHeader, setUpstreamHeader } from '../../http/fixed-headers.js';
import { cgiHeaderName, forwardableRequestHeaders } from '../../http/forward-headers.js';
import { isImpersonationHeader } from '../../http/impersonation-headers.js';
import type { LlmConnectionConfig } from './config.js';
import { isGatewayControlHeader } from './gateway-headers.js';

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  config: Pick<LlmConnectionConfig, 'type' | 'upstream_headers'>,
  credential: string | null,
  body: 'json' | 'none',
): Record<string, string> {
  const out = forwardableRequestHeaders(incoming);
  // A header that makes the upstream act as another user (`Remote-User` to a model server behind an
  // authenticating proxy, `Impersonate-User`) is dropped: the record says the request was made with
  // the injected credential, as itself. Until 6 December such headers went on to the upstream.
  // So is one by which an LLM gateway upstream picks the model, the provider, the host it calls with
  // the injected key, or overrides the body (`x-portkey-config`, `model-override`): the record names
  // the body's model and text (gateway-headers.ts; until 7 December they were forwarded).
  for (const name of Object.keys(out)) {
    const read = cgiHeaderName(name);
    if (isImpersonationHeader(read) || isGatewayControlHeader(read)) delete out[name];
  }
  // The body goes on decoded, as it was judged and recorded (llm-adapter.ts); in every spelling a
  // CGI-style server reads as Content-Encoding (`Content_Encoding`), which would inflate it there.
  removeUpstreamHeader(out, 'content-encoding');
  // Recording needs the plain body; compression on loopback or a LAN buys little.
  setUpstreamHeader(out, 'accept-encoding', 'identity');
  applyFixedHeaders(out, config.upstream_headers);
  // The body was judged and recorded as UTF-8 JSON. The client's Content-Type could name another
  // charset, which an upstream may honour: Express's body-parser decodes `charset=utf-7`, where
  // `+AGk-gnore` is `ignore`, so a denied phrase reached the model spelt so no pattern saw it.
  removeUpstreamHeader(out, 'content-type');
  if (body === 'json') out['content-type'] = 'application/json';
  if (credential !== null) {
    if (config.type === 'llm-openai') setUpstreamHeader(out, 'authorization', `Bearer ${credential}`);
    else setUpstreamHeader(out, 'x-api-key', credential);
  }
  return out;
}
