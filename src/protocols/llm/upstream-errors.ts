// Classifies a failure talking to the upstream into a stable Vigil error.
import { VigilError } from '../../core/errors.js';

const TIMEOUT_CODES = new Set([
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

export function upstreamError(err: unknown, phase: 'connect' | 'body'): VigilError {
  const code = codeOf(err);
  if (TIMEOUT_CODES.has(code)) {
    return new VigilError('upstream_timeout', `the upstream did not answer in time (${code})`, {
      cause: err,
    });
  }
  if (phase === 'connect') {
    return new VigilError(
      'upstream_unreachable',
      `the upstream could not be reached${code ? ` (${code})` : ''}`,
      {
        cause: err,
      },
    );
  }
  return new VigilError('upstream_failed', `the upstream failed mid-response${code ? ` (${code})` : ''}`, {
    cause: err,
  });
}
