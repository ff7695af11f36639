// The spans of one session as plain data, before any OpenTelemetry object exists: what the
// planners derive from the recorded events and what the exporter turns into SDK spans. Keeping
// this step pure lets the tests check span shapes without a collector, and keeps the SDK at the edge.
import type { JsonObject, JsonValue } from '../core/events.js';

export type SpanAttributeValue = string | number | boolean | string[] | number[];
export type SpanAttributes = Record<string, SpanAttributeValue>;

export const SPAN_KINDS = ['internal', 'client'] as const;
export type PlannedSpanKind = (typeof SPAN_KINDS)[number];

export interface PlannedSpanEvent {
  readonly name: string;
  /** ISO-8601, from the recorded event. */
  readonly time: string;
  readonly attributes: SpanAttributes;
}

export interface PlannedSpan {
  /** Local key, unique within the session: `session`, `llm:<requestId>`, `event:<seq>`. */
  readonly key: string;
  /** Key of the parent span; null for the session root (whose parent is the client's span, if any). */
  parent: string | null;
  readonly name: string;
  readonly kind: PlannedSpanKind;
  readonly start: string;
  end: string;
  readonly attributes: SpanAttributes;
  readonly events: PlannedSpanEvent[];
  /** Keys of related spans that are not the parent (further reasoning parents, evaluated calls). */
  readonly links: string[];
  error: string | null;
}

/** The W3C trace context a client sent: Vigil's spans join that trace under that span. */
export interface RemoteParent {
  readonly traceId: string;
  readonly spanId: string;
}

export interface SessionTracePlan {
  readonly sessionId: string;
  readonly remoteParent: RemoteParent | null;
  /** The session root first; every parent comes before its children. */
  readonly spans: readonly PlannedSpan[];
}

export function str(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

export function num(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function obj(value: JsonValue | undefined | null): JsonObject | null {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)
    ? value
    : null;
}

/** Sets an attribute only when there is a value: absent beats a placeholder in every backend. */
export function put(
  attributes: SpanAttributes,
  key: string,
  value: SpanAttributeValue | null | undefined,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value) && value.length === 0) return;
  attributes[key] = value;
}

/** The later of two ISO times, so that an end never precedes its start. */
export function notBefore(time: string, floor: string): string {
  return time < floor ? floor : time;
}
