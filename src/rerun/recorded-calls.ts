// The model calls of a recorded session, in the order they were made: each request (masked, as the
// ledger holds it) with the response recorded for it. A request whose response is missing (the
// client left, the session was cut) cannot be answered and is kept out; a purged payload too, and
// one that does not have the shape the recorder writes (recorded-shape.ts).
import type { JsonValue, StoredEvent } from '../core/events.js';
import type { LlmApi, LlmResponsePayload } from '../core/llm-payloads.js';
import { isRecordedRequest, isRecordedResponse } from './recorded-shape.js';
import { checkRecordedPayloads } from './recording-integrity.js';
import { requestKey } from './request-key.js';

export interface RecordedCall {
  /** 1-based position among the session's model requests. */
  readonly position: number;
  readonly requestId: string;
  readonly connection: string;
  readonly api: LlmApi;
  readonly path: string;
  readonly stream: boolean;
  /** The request body as recorded (masked). */
  readonly body: JsonValue;
  readonly key: string;
  /** When the request was recorded (ISO-8601). */
  readonly time: string;
  readonly response: LlmResponsePayload;
}

export interface RecordedCalls {
  readonly calls: RecordedCall[];
  /** Requests with no recorded response (or a purged payload): never served, listed in the report. */
  readonly unanswerable: { position: number; requestId: string }[];
}

/** Throws `ledger_tampered` when a payload is not the one its event's hash commits to. */
export function recordedCalls(events: readonly StoredEvent[]): RecordedCalls {
  checkRecordedPayloads(events);
  const responses = new Map<string, LlmResponsePayload>();
  for (const e of events) {
    // A response not shaped as recorded is as good as none (recorded-shape.ts).
    if (e.type !== 'llm.response' || !isRecordedResponse(e.payload)) continue;
    responses.set(e.payload.requestId, e.payload);
  }
  const calls: RecordedCall[] = [];
  const unanswerable: RecordedCalls['unanswerable'] = [];
  let position = 0;
  for (const e of events) {
    if (e.type !== 'llm.request') continue;
    position++;
    const payload = e.payload;
    if (!isRecordedRequest(payload)) {
      unanswerable.push({ position, requestId: isStr(payload?.requestId) ? payload.requestId : '' });
      continue;
    }
    const response = responses.get(payload.requestId);
    if (!response) {
      unanswerable.push({ position, requestId: payload.requestId });
      continue;
    }
    calls.push({
      position,
      requestId: payload.requestId,
      connection: e.connection,
      api: payload.api,
      path: payload.path,
      stream: payload.stream,
      body: payload.body,
      key: requestKey(payload.api, payload.path, payload.body),
      time: e.time,
      response,
    });
  }
  return { calls, unanswerable };
}

const isStr = (v: unknown): v is string => typeof v === 'string';
