// Anthropic's error `type` for each HTTP status (its documented error shapes). The gateway answers
// Anthropic clients in this shape, and the stand-in model imitates the provider with it.
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
