// Error bodies in each provider's own shape, so clients raise their own typed errors
// (openai.APIError subclasses by status, Anthropic's APIError with `error.type`).

import { ANTHROPIC_ERROR_TYPES } from '../core/anthropic-error-types.js';
import type { DemoErrorReply } from './types.js';

export const WIRE_FLAVOURS = ['openai', 'anthropic'] as const;
export type WireFlavour = (typeof WIRE_FLAVOURS)[number];

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'requests',
};

const OPENAI_CODES: Record<number, string> = {
  401: 'invalid_api_key',
  404: 'not_found',
  429: 'rate_limit_exceeded',
};

export function openaiErrorBody(error: DemoErrorReply): Record<string, unknown> {
  return {
    error: {
      message: error.message,
      type:
        error.type ??
        OPENAI_TYPES[error.status] ??
        (error.status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: error.param ?? null,
      code: error.code === undefined ? (OPENAI_CODES[error.status] ?? null) : error.code,
    },
  };
}

export function anthropicErrorBody(error: DemoErrorReply, requestId: string): Record<string, unknown> {
  return {
    type: 'error',
    error: {
      type:
        error.type ??
        ANTHROPIC_ERROR_TYPES[error.status] ??
        (error.status >= 500 ? 'api_error' : 'invalid_request_error'),
      message: error.message,
    },
    request_id: requestId,
  };
}

export function errorBody(
  flavour: WireFlavour,
  error: DemoErrorReply,
  requestId: string,
): Record<string, unknown> {
  return flavour === 'openai' ? openaiErrorBody(error) : anthropicErrorBody(error, requestId);
}

/** Thrown by request parsing; the server answers it in the route's flavour. */
export class DemoRequestError extends Error {
  readonly reply: DemoErrorReply;
  constructor(reply: DemoErrorReply) {
    super(reply.message);
    this.name = 'DemoRequestError';
    this.reply = reply;
  }
}

export function badRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): DemoRequestError {
  return new DemoRequestError({ status: 400, message, param, code });
}
