// Small helpers for the JSON admin API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { parseJsonBody } from '../http/json-body.js';
import { readRequestBody } from '../protocols/llm/read-body.js';

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

/**
 * A request body that must be a JSON object; an empty body is {}. Refused (body_too_large,
 * body_too_deep, body_invalid_json) before any route sees it, with messages that never quote it.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<JsonObject> {
  const raw = await readRequestBody(req, maxBytes);
  if (raw.length === 0) return {};
  const parsed = parseJsonBody(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VigilError('body_invalid_json', 'the request body must be a JSON object');
  }
  return parsed;
}
