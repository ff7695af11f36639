// Small helpers for the JSON admin API.
import type { ServerResponse } from 'node:http';
import type { VigilError } from '../core/errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendApiError(res: ServerResponse, err: VigilError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('x-vigil-error', err.code);
  sendJson(res, err.status, { error: { code: err.code, message: err.message } });
}
