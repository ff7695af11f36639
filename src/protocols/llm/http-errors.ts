// Maps a VigilError to an HTTP response in the error shape the client's SDK understands, with the
// stable Vigil code in `error.code`; the status and the x-vigil-error header are set as on every
// Vigil endpoint (src/http/json-response.ts).
import type { ServerResponse } from 'node:http';
import { ANTHROPIC_ERROR_TYPES } from '../../core/anthropic-error-types.js';
import type { VigilError } from '../../core/errors.js';
import { sendJsonError } from '../../http/json-response.js';

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
    // A response under way (a stream) cannot change its status: it is cut, with the cause attached.
    res.destroy(err);
    return;
  }
  sendJsonError(res, err, errorBody(err, shape), closeConnection ? { connection: 'close' } : {});
}
