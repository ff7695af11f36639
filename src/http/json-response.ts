// Answering in JSON, and answering a VigilError: its status, its stable code in the x-vigil-error
// header (so a client can branch on it without parsing the body), and a body. Vigil's own endpoints
// (admin API, sign-in, the gateway's routing) use the body shape below; a protocol whose clients
// expect another envelope passes its own body and keeps the status and header.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { VigilError } from '../core/errors.js';

/**
 * A body already serialized, sent as it is: a reasoning tree is built and serialized in a worker
 * thread, and parsing and serializing its megabytes again would block the event loop for nothing.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = body instanceof JsonText ? body.text : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The error body of Vigil's own endpoints. */
export function vigilErrorBody(err: VigilError): { error: { code: string; message: string } } {
  return { error: { code: err.code, message: err.message } };
}

/**
 * Answers `err`. Once the headers are out the status can no longer say it, so the response is cut
 * instead: the client sees a broken answer, never a truncated one that looks complete.
 */
export function sendJsonError(
  res: ServerResponse,
  err: VigilError,
  body: unknown = vigilErrorBody(err),
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, body, { ...headers, 'x-vigil-error': err.code });
}
