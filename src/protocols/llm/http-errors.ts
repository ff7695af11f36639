// Maps a VigilError to an HTTP response in the error shape the client's SDK understands, with the
// stable Vigil code in `error.code` and in the x-vigil-error header.
import type { ServerResponse } from 'node:http';
import { ANTHROPIC_ERROR_TYPES } from '../../core/anthropic-error-types.js';
import type { VigilError } from '../../core/errors.js';

export type ErrorShape = 'openai' | 'anthropic';

export function errorBody(err: VigilError, shape: ErrorShape): object {
  if (shape === 'anthropic') {
    return {
      type: 'error',
      error: { type: ANTHROPIC_ERROR_TYPES[err.status] ?? 'api_error', message: err.message, code: err.code },
    };
  }
  return { error: { message: err.message, type: 'vigil_error', code: err.code, param: null } };
}

export function sendError(
  res: ServerResponse,
  err: VigilError,
  shape: ErrorShape,
  closeConnection = false,
): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  const body = JSON.stringify(errorBody(err, shape));
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-vigil-error': err.code,
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(body);
}
