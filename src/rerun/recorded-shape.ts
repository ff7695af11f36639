// What a recorded model call must look like before a re-run serves it. The payload hash proves a
// payload is the one recorded, not that the recorder wrote it: a row forged with its hashes
// recomputed (which only the chain and the signed checkpoints reveal, `vigil verify`) or damaged
// otherwise can hold any JSON. Served as it is, a choice without text or a status that is not a
// number failed deep in the wire encoders, as a 500 `internal` with a JavaScript message, counted as
// answered. A call whose request or response lacks the recorded shape is not served: the report
// lists it as unanswerable. Fields that older recordings lack (docs/llm.md) may be absent.
import type { JsonValue } from '../core/events.js';
import { LLM_APIS, type LlmRequestPayload, type LlmResponsePayload } from '../core/llm-payloads.js';

type Loose = { readonly [k: string]: JsonValue | undefined };

const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const absentOr = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Whether a recorded llm.request payload has the shape the recorder writes. */
export function isRecordedRequest(p: unknown): p is LlmRequestPayload {
  return (
    isObj(p) &&
    isStr(p.requestId) &&
    (LLM_APIS as readonly unknown[]).includes(p.api) &&
    isStr(p.path) &&
    p.body !== undefined &&
    absentOr(p.stream, (s) => typeof s === 'boolean')
  );
}

const isToolCall = (t: unknown) => isObj(t) && isStr(t.id) && isStr(t.name) && isStr(t.arguments);

const isChoice = (c: unknown) =>
  isObj(c) &&
  Number.isInteger(c.index) &&
  isStr(c.text) &&
  absentOr(c.reasoning, isStr) &&
  absentOr(c.finishReason, (f) => f === null || isStr(f)) &&
  Array.isArray(c.toolCalls) &&
  c.toolCalls.every(isToolCall);

/** Whether a recorded llm.response payload has the shape the recorder writes. */
export function isRecordedResponse(r: unknown): r is LlmResponsePayload {
  return (
    isObj(r) &&
    isStr(r.requestId) &&
    Number.isInteger(r.status) &&
    (r.status as number) >= 100 &&
    (r.status as number) <= 599 &&
    Array.isArray(r.choices) &&
    r.choices.every(isChoice) &&
    absentOr(r.stream, (s) => typeof s === 'boolean') &&
    absentOr(r.partial, (s) => typeof s === 'boolean') &&
    absentOr(r.durationMs, isNum) &&
    absentOr(r.ttftMs, (t) => t === null || isNum(t)) &&
    absentOr(r.bodyText, (t) => t === null || isStr(t)) &&
    absentOr(r.error, (e) => e === null || (isObj(e) && absentOr(e.message, isStr)))
  );
}
