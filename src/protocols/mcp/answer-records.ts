// How dispatch.ts records a request's answer and the facts around it: what the upstream answered
// (deferred, ADR 0006), a failure (committed before the client hears of it), the trace context, and
// whatever params a request carries beyond those its record names.
import type { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { McpServed, RequestScope } from './dispatch.js';
import type { JsonRpcMessage } from './jsonrpc.js';

/** The trace context as the llm and http modules record it; absent (not null) without one, so payloads stay as they were. */
export function traceFacts(scope: RequestScope): JsonObject {
  return scope.trace
    ? { trace: { traceId: scope.trace.traceId, parentSpanId: scope.trace.parentSpanId } }
    : {};
}

/**
 * A request's params beyond those its record names, or null when there are none. Requests go on
 * as sent, so these reach the server too (`_meta`, a field of a later revision) and are recorded.
 */
export function paramsBeyond(params: JsonObject, recorded: readonly string[]): JsonObject | null {
  const rest = Object.entries(params).filter(([key]) => !recorded.includes(key));
  return rest.length > 0 ? Object.fromEntries(rest) : null;
}

/**
 * An answer's record is deferred, as a statement's result is (docs/adr/0006): the action it answers
 * was durable before the upstream saw it, and nothing reaches a target on the strength of this
 * record, so the client is not held for a second commit. It rides with the next commit someone
 * waits for, or goes within a few milliseconds; the recorder keeps it in session order. It is made
 * (masked, queued) just after the answer is written, in the same tick, so that work is not on the
 * client's path either, and nothing of a later request can be queued before it.
 */
export function recordResult(served: McpServed, scope: RequestScope, payload: JsonObject): void {
  recordDeferred(served, scope, 'mcp.result', payload);
}

/** A deferred record of what the upstream answered (see recordResult). */
export function recordDeferred(
  served: McpServed,
  scope: RequestScope,
  type: 'mcp.result' | 'mcp.listing',
  payload: JsonObject,
): void {
  scope.session.observe(type, payload, { deferred: true }).catch(served.resultNotRecorded);
}

export async function recordFailure(scope: RequestScope, ids: JsonObject, error: VigilError): Promise<void> {
  await scope.session.observe('mcp.result', { ...ids, error: { code: error.code, message: error.message } });
}

/** What a result or error says, for the record. */
export function answerFacts(answer: JsonRpcMessage): JsonObject {
  if (answer.kind === 'error') return { error: answer.error };
  if (answer.kind !== 'response') return {};
  return { result: answer.result };
}
