// How an HTTP request finds its session (docs/architecture.md, and README: Sessions): an explicit x-vigil-session
// header, else the W3C traceparent's trace id, else the identity + connection until idle.
import type { Identity } from '../core/events.js';
import type { TraceContext } from '../core/llm-payloads.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const EXPLICIT_SESSION = /^[A-Za-z0-9._:@-]{1,128}$/;

export function parseTraceparent(header: string | undefined): TraceContext | null {
  if (!header) return null;
  // Upper-case hex is not a valid traceparent (W3C Trace Context): ignored, as the standard asks.
  const m = TRACEPARENT.exec(header.trim());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return null;
  return { traceId: m[2]!, parentSpanId: m[3]! };
}

export function validExplicitSession(value: string | undefined): string | null {
  if (value === undefined) return null;
  return EXPLICIT_SESSION.test(value) ? value : null;
}

/** What a request's headers say of its session, known before its identity: the explicit id and the trace id. */
export function sessionFacts(
  explicit: string | null,
  trace: TraceContext | null,
): { external: string | null; traceId: string | null } {
  if (explicit) return { external: explicit, traceId: null };
  return { external: null, traceId: trace ? trace.traceId : null };
}

/**
 * The grouping key. Keys always include the identity (its kind and subject) and the connection, so
 * one identity never joins another's session, whatever id or trace the request names: the user
 * `deploy` and the service account `deploy` share a subject and are still two holders.
 */
export function sessionKey(
  owner: Pick<Identity, 'subject' | 'kind'>,
  connection: string,
  explicit: string | null,
  trace: TraceContext | null,
): { key: string; external: string | null; traceId: string | null } {
  const who = `${owner.kind}\u0000${owner.subject}\u0000${connection}`;
  const facts = sessionFacts(explicit, trace);
  if (explicit) return { key: `x\u0000${who}\u0000${explicit}`, ...facts };
  if (trace) return { key: `t\u0000${who}\u0000${trace.traceId}`, ...facts };
  return { key: `i\u0000${who}`, ...facts };
}
