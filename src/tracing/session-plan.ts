// One session's recorded events → its spans (see span-plan.ts): the `vigil.session` root, a span
// per model call, statement, command, tool call and HTTP call, policy decisions and approvals as
// span events and statuses, and model calls nested along the reasoning tree. Pure: events in, plan out.
import type { StoredEvent } from '../core/events.js';
import { ActionSpans } from './action-spans.js';
import { llmSpan, llmSpanKey } from './llm-spans.js';
import { reasoningRelations } from './reasoning-parents.js';
import {
  notBefore,
  obj,
  type PlannedSpan,
  put,
  type RemoteParent,
  type SessionTracePlan,
  type SpanAttributes,
  str,
} from './span-plan.js';

export const SESSION_SPAN = 'session';

export interface PlanOptions {
  /** Add the masked prompts, replies, statements, command lines and tool arguments. */
  readonly content: boolean;
}

export function planSessionTrace(
  events: readonly StoredEvent[],
  options: PlanOptions,
): SessionTracePlan | null {
  const first = events[0];
  if (!first) return null;
  const startEvent = events.find((e) => e.type === 'session.start');
  const endEvent = events.findLast((e) => e.type === 'session.end');
  const end = endEvent?.time ?? events.at(-1)!.time;
  const protocol = str(startEvent?.payload?.protocol) ?? 'unknown';

  const rootAttributes: SpanAttributes = {
    'vigil.session.id': first.sessionId,
    'vigil.connection': first.connection,
    'vigil.protocol': protocol,
    'enduser.id': first.identity.subject,
    'vigil.identity.kind': first.identity.kind,
    'vigil.session.event_count': events.length,
  };
  put(rootAttributes, 'vigil.session.end_reason', str(endEvent?.payload?.reason));
  const root: PlannedSpan = {
    key: SESSION_SPAN,
    parent: null,
    name: 'vigil.session',
    kind: 'internal',
    start: first.time,
    end: notBefore(end, first.time),
    attributes: rootAttributes,
    events: [],
    links: [],
    error: null,
  };

  const responses = new Map<string, StoredEvent>();
  for (const e of events) {
    const id = e.type === 'llm.response' ? str(e.payload?.requestId) : null;
    if (id) responses.set(id, e);
  }
  const actions = new ActionSpans(protocol, options.content);
  const calls: PlannedSpan[] = [];
  const requestIds = new Set<string>();
  /** The span of the latest action of each event type, for the policy decision recorded after it. */
  const lastByType = new Map<string, PlannedSpan>();
  for (const e of events) {
    let opened: PlannedSpan | null = null;
    if (e.type === 'llm.request') {
      const id = str(e.payload?.requestId);
      // Request ids are unique in a recording; a repeat (never written by Vigil) is not a second span.
      opened = id && !requestIds.has(id) ? llmSpan(e, responses.get(id) ?? null, end, options.content) : null;
      if (opened && id) {
        requestIds.add(id);
        calls.push(opened);
      }
    } else {
      opened = actions.add(e);
    }
    if (opened) {
      lastByType.set(e.type, opened);
      const approval = obj(e.payload?.approval);
      if (approval) {
        opened.events.push({
          name: 'vigil.approval.released',
          time: e.time,
          attributes: approvalAttributes(
            approval,
            Array.isArray(approval.approved_by) ? approval.approved_by.length : null,
          ),
        });
      }
      continue;
    }
    annotate(e, root, lastByType, actions);
  }
  actions.finish(end);

  if (calls.length > 0) nestAlongReasoning(events, calls);
  for (const span of [...calls, ...actions.spans]) span.parent ??= SESSION_SPAN;
  const spans = [...calls, ...actions.spans].sort((a, b) => seqOf(a) - seqOf(b));
  return { sessionId: first.sessionId, remoteParent: remoteParentOf(events), spans: [root, ...spans] };
}

/** Decisions, approvals and revocations become span events (and a denial the span's error status). */
function annotate(
  e: StoredEvent,
  root: PlannedSpan,
  lastByType: Map<string, PlannedSpan>,
  actions: ActionSpans,
): void {
  const p = e.payload;
  if (!p) return;
  if (e.type === 'policy.decision') {
    const subject = str(p.subject_type);
    const span = (subject ? lastByType.get(subject) : undefined) ?? root;
    const action = str(p.action) ?? 'unknown';
    const attributes: SpanAttributes = { 'vigil.policy.action': action };
    put(attributes, 'vigil.policy.rule', str(p.rule));
    span.events.push({ name: 'vigil.policy.decision', time: e.time, attributes });
    if (action === 'deny') {
      // A denied action never ran: its span ends at the refusal, not with the session.
      if (span !== root) actions.settle(span, e.time);
      span.error = 'denied by policy';
      span.attributes['error.type'] = 'policy_denied';
    }
  } else if (e.type === 'approval.requested' || e.type === 'approval.decided') {
    const attributes = approvalAttributes(p, null);
    put(attributes, 'vigil.approval.kind', str(p.kind));
    put(attributes, 'vigil.approval.outcome', str(p.outcome));
    root.events.push({ name: `vigil.${e.type}`, time: e.time, attributes });
  } else if (e.type === 'access.revoked') {
    root.events.push({ name: 'vigil.access.revoked', time: e.time, attributes: {} });
  }
}

function approvalAttributes(
  p: NonNullable<StoredEvent['payload']>,
  approvers: number | null,
): SpanAttributes {
  const attributes: SpanAttributes = {};
  put(attributes, 'vigil.approval.id', str(p.approval_id) ?? str(p.id));
  put(attributes, 'vigil.approval.approver_count', approvers);
  return attributes;
}

/**
 * A call's parent is the span of the call its prompt descends from. Parents always come earlier
 * (a prompt quotes a reply already received); should one not, the call stays under the session
 * and keeps the relation as a link, so the exported trace never has a dangling parent.
 */
function nestAlongReasoning(events: readonly StoredEvent[], calls: readonly PlannedSpan[]): void {
  const relations = reasoningRelations(events);
  const byKey = new Map(calls.map((c) => [c.key, c]));
  for (const call of calls) {
    const relation = relations.get(String(call.attributes['vigil.request_id']));
    if (!relation) continue;
    const parent = relation.parent ? byKey.get(llmSpanKey(relation.parent)) : undefined;
    if (parent && seqOf(parent) < seqOf(call)) call.parent = parent.key;
    else if (relation.parent) call.links.push(llmSpanKey(relation.parent));
    for (const link of relation.links) if (byKey.has(llmSpanKey(link))) call.links.push(llmSpanKey(link));
  }
}

function seqOf(span: PlannedSpan): number {
  const seq = span.attributes['vigil.event.seq'];
  return typeof seq === 'number' ? seq : 0;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** The trace context of the session's first call that carried one (checked again: it is joined as is). */
function remoteParentOf(events: readonly StoredEvent[]): RemoteParent | null {
  for (const e of events) {
    const trace = obj(e.payload?.trace);
    const traceId = trace ? str(trace.traceId) : null;
    const spanId = trace ? str(trace.parentSpanId) : null;
    if (
      traceId &&
      spanId &&
      TRACE_ID.test(traceId) &&
      SPAN_ID.test(spanId) &&
      !/^0+$/.test(traceId) &&
      !/^0+$/.test(spanId)
    )
      return { traceId, spanId };
  }
  return null;
}
