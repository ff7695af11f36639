// Header handling at the trust boundary of a model connection: the client's key header carries its
// Vigil token and is never forwarded (src/http/forward-headers.ts drops it); the real upstream
// credential is injected here and nowhere else, in the header the provider's API expects.
import type { IncomingHttpHeaders } from 'node:http';
import { forwardableRequestHeaders } from '../../http/forward-headers.js';
import type { LlmFlavour } from './routes.js';

export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  flavour: LlmFlavour,
  credential: string | null,
): Record<string, string> {
  const out = forwardableRequestHeaders(incoming);
  // The body goes on decoded, as it was judged and recorded (llm-adapter.ts).
  delete out['content-encoding'];
  // Recording needs the plain body; compression on loopback or a LAN buys little.
  out['accept-encoding'] = 'identity';
  if (credential !== null) {
    if (flavour === 'llm-openai') out.authorization = `Bearer ${credential}`;
    else out['x-api-key'] = credential;
  }
  return out;
}
