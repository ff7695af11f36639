// Classifies a failure talking to an HTTP upstream (a model provider, an MCP server, an API) into a
// stable Vigil error; a VigilError already raised on the way is kept as it is.
import { VigilError } from '../core/errors.js';

const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function codeOf(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

/** `connect`: before any answer arrived; `body`: the answer broke off. */
export function upstreamFailure(err: unknown, phase: 'connect' | 'body'): VigilError {
  if (err instanceof VigilError) return err;
  const code = codeOf(err);
  const suffix = code ? ` (${code})` : '';
  if (TIMEOUTS.has(code))
    return new VigilError('upstream_timeout', `the upstream did not answer in time${suffix}`, { cause: err });
  if (phase === 'connect')
    return new VigilError('upstream_unreachable', `the upstream could not be reached${suffix}`, {
      cause: err,
    });
  return new VigilError('upstream_failed', `the upstream failed mid-answer${suffix}`, { cause: err });
}
