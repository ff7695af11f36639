// One client request inside an MCP session: tools/call judged and recorded write-ahead (mcp.call)
// and its answer recorded (mcp.result); tools/list recorded with each tool's pin (mcp.tools, and
// mcp.tool_changed for a tool whose definition moved); resources/read, subscriptions to a resource
// and prompts/get judged and recorded before they are forwarded; the resource and prompt listings
// recorded as answered (resources a read rule refuses left out); the other methods of the
// 2025-11-25 revision forwarded as they are; anything else refused, since Vigil forwards only what
// it knows how to record.

import type { ServerResponse } from 'node:http';
import { actionDigest } from '../../core/action-digest.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { TraceContext } from '../../core/llm-payloads.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import {
  answerFacts,
  paramsBeyond,
  recordDeferred,
  recordFailure,
  recordResult,
  traceFacts,
} from './answer-records.js';
import { misspeltArgument } from './argument-spellings.js';
import { callOutcome, unpinnedReason } from './call-outcome.js';
import { cancelAbandoned } from './cancel-abandoned.js';
import { type ClientView, type ReplyOptions, relayReply } from './client-reply.js';
import { type CompletionReads, completionReads } from './completion-reads.js';
import type { McpConnectionConfig } from './config.js';
import { embeddedReads } from './embedded-reads.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { listingReads } from './listing-reads.js';
import { serverNotificationRecorder } from './notifications.js';
import { PASSTHROUGH, saysSomething } from './passthrough.js';
import type { PinIndex } from './pin-store.js';
import { serverRequestGate } from './server-requests.js';
import { recordListing, refreshListing } from './tool-listing.js';
import { toolAllowed } from './tool-lists.js';
import type { McpUpstream, UpstreamTarget } from './upstream.js';
import { sendRpcError } from './wire-errors.js';

type RequestMessage = Extract<JsonRpcMessage, { kind: 'request' }>;

export interface McpServed {
  readonly config: McpConnectionConfig;
  readonly upstream: McpUpstream;
  readonly pins: PinIndex;
  /** Told when a deferred record (a result, a server's notification) failed (the client already has it). */
  readonly resultNotRecorded: (err: unknown) => void;
  /** What the client may see of the server's messages (client-reply.ts). */
  readonly view: ClientView;
}

export interface RequestScope {
  readonly session: ModuleSession;
  readonly target: UpstreamTarget;
  readonly res: ServerResponse;
  readonly signal: AbortSignal;
  /** Response headers (the session id) for whatever answers this request. */
  readonly headers: Record<string, string>;
  /** The request's validated W3C traceparent, recorded with calls and reads (docs/tracing.md). */
  readonly trace?: TraceContext | null;
  /**
   * Whether the request reached the upstream and its answer was relayed: one forwarded and never
   * answered may be answered later, on whichever stream then carries its id (in-flight-ids.ts).
   */
  readonly outcome?: { forwarded: boolean; answered: boolean };
}

/**
 * Listings besides tools/list: what they serve (descriptions, titles, URIs) is read by the user
 * or the model like a tool's description, so the answer is recorded as the client got it. They
 * are not pinned (docs/mcp.md).
 */
const RECORDED_LISTINGS = new Set(['resources/list', 'resources/templates/list', 'prompts/list']);

export async function dispatchRequest(
  served: McpServed,
  scope: RequestScope,
  m: RequestMessage,
): Promise<void> {
  switch (m.method) {
    case 'tools/call':
      return toolCall(served, scope, m);
    case 'tools/list':
      if (!(await recordListingParams(scope, m))) return;
      return forward(served, scope, m, { onAnswer: (answer) => recordListing(served, scope, m, answer) });
    // What is recorded must be what is forwarded: a field of another shape is refused, not
    // recorded as null or {} and then sent on as it was.
    case 'resources/read':
      if (typeof m.params.uri !== 'string') return refuse(scope, m, malformed('resources/read params.uri'));
      return recordedRead(served, scope, m, 'mcp.read', { uri: m.params.uri });
    // A subscription names a resource as a read does, and its updates tell the client when that
    // resource changes (notifications/resources/updated): judged by the rules a read of the same
    // URI meets, and recorded as a read with the method that asked (a review of one never covers
    // the other, since the method is part of what it is bound to). Ending one is recorded alike.
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      if (typeof m.params.uri !== 'string') return refuse(scope, m, malformed(`${m.method} params.uri`));
      return recordedRead(served, scope, m, 'mcp.read', { uri: m.params.uri }, m.method);
    case 'prompts/get':
      if (typeof m.params.name !== 'string') return refuse(scope, m, malformed('prompts/get params.name'));
      if (m.params.arguments !== undefined && !isObject(m.params.arguments)) {
        return refuse(scope, m, malformed('prompts/get params.arguments'));
      }
      return recordedRead(served, scope, m, 'mcp.prompt', {
        name: m.params.name,
        arguments: isObject(m.params.arguments) ? m.params.arguments : {},
      });
    case 'completion/complete':
      // What a user is typing into a prompt or resource argument goes to the upstream: recorded first.
      if (!isObject(m.params.ref) || !isObject(m.params.argument)) {
        return refuse(scope, m, malformed('completion/complete params.ref or params.argument'));
      }
      // A resource template's completion is judged by the read rules too (completion-reads.ts).
      return recordedRead(
        served,
        scope,
        m,
        'mcp.completion',
        {
          ref: m.params.ref,
          argument: m.params.argument,
          ...(isObject(m.params.context) ? { context: m.params.context } : {}),
        },
        undefined,
        completionReads(scope.session, m.params),
      );
    default:
      if (PASSTHROUGH.has(m.method)) {
        if (!PASSTHROUGH.get(m.method)!(m.params)) {
          const error = new VigilError(
            'protocol_violation',
            `${m.method} is forwarded only with the params it defines, which Vigil does not record`,
          );
          return refuse(scope, m, error);
        }
        // An answer that says anything is recorded (unrecorded until 6 December; passthrough.ts).
        return forward(served, scope, m, {
          afterAnswer: (answer) => {
            if (!saysSomething(answer)) return;
            recordDeferred(served, scope, 'mcp.listing', {
              request_id: String(m.id),
              method: m.method,
              ...answerFacts(answer),
            });
          },
        });
      }
      if (RECORDED_LISTINGS.has(m.method)) {
        if (!(await recordListingParams(scope, m))) return;
        // A resource a read rule refuses is left out of a resource listing (listing-reads.ts).
        const reads = listingReads(scope.session, m.method);
        return forward(served, scope, m, {
          ...(reads ? { onAnswer: reads.onAnswer } : {}),
          afterAnswer: (answer) =>
            recordDeferred(served, scope, 'mcp.listing', {
              request_id: String(m.id),
              method: m.method,
              ...answerFacts(answer),
              ...(reads ? reads.withheld() : {}),
            }),
        });
      }
      return refuse(scope, m, new VigilError('method_unknown', 'Vigil does not forward this method'));
  }
}

/**
 * A listing request's params (a `cursor`, a `_meta`, whatever else a client puts there) reach the
 * server as sent: when it has any they are recorded before it is forwarded, as a client's
 * notification is, and it is not forwarded when that fails. A listing without params, the usual
 * first page, costs no commit. Returns whether to forward.
 */
async function recordListingParams(scope: RequestScope, m: RequestMessage): Promise<boolean> {
  if (Object.keys(m.params).length === 0) return true;
  try {
    await scope.session.observe('mcp.listing', {
      request_id: String(m.id),
      method: m.method,
      params: m.params,
    });
    return true;
  } catch (err) {
    sendRpcError(scope.res, toVigilError(err), m.id);
    return false;
  }
}

function malformed(field: string): VigilError {
  return new VigilError('protocol_violation', `${field} is missing or of the wrong type`);
}

async function refuse(scope: RequestScope, m: RequestMessage, error: VigilError): Promise<void> {
  await scope.session.refuse(error, { method: m.method, request_id: String(m.id) });
  sendRpcError(scope.res, error, m.id);
}

/** What forwarding does with the answer: decide it before the client has it, record it after, or record a failure. */
interface AnswerHooks {
  readonly onAnswer?: ReplyOptions['onAnswer'];
  readonly afterAnswer?: ReplyOptions['afterAnswer'];
  readonly onFailure?: ReplyOptions['onFailure'];
}

async function forward(
  served: McpServed,
  scope: RequestScope,
  m: RequestMessage,
  hooks: AnswerHooks,
): Promise<void> {
  const onFailure = hooks.onFailure ?? (async () => undefined);
  let answered = false;
  // The client left (or its session was cut) before the answer: the upstream is told to stop.
  const cancelIfLeft = async (): Promise<void> => {
    if (!answered && scope.signal.aborted) await cancelAbandoned(served, scope.session, scope.target, m.id);
  };
  let reply: Awaited<ReturnType<McpUpstream['send']>>;
  try {
    if (scope.outcome) scope.outcome.forwarded = true;
    reply = await served.upstream.send(m, scope.target, scope.signal);
  } catch (err) {
    const error = toVigilError(err, 'upstream_failed');
    await onFailure(error).catch(() => undefined);
    sendRpcError(scope.res, error, m.id);
    return cancelIfLeft();
  }
  const afterAnswer = (answer: JsonRpcMessage): void => {
    answered = true;
    if (scope.outcome) scope.outcome.answered = true;
    hooks.afterAnswer?.(answer);
  };
  await relayReply(scope.res, reply.messages, {
    id: m.id,
    headers: scope.headers,
    serverRequests: serverRequestGate(
      served.config.server_requests,
      served.upstream,
      scope.session,
      scope.target,
      scope.signal,
    ),
    notified: serverNotificationRecorder(scope.session, m.id, served.resultNotRecorded),
    ...(hooks.onAnswer ? { onAnswer: hooks.onAnswer } : {}),
    afterAnswer,
    onFailure,
    view: served.view,
    signal: scope.signal,
  });
  await cancelIfLeft();
}

async function recordedRead(
  served: McpServed,
  scope: RequestScope,
  m: RequestMessage,
  type: 'mcp.read' | 'mcp.prompt' | 'mcp.completion',
  what: JsonObject,
  /** The method, for a request recorded as another's kind (a subscription as a read); never a param. */
  asked?: string,
  /** What the read rules say of a resource template's completion. */
  completion?: CompletionReads | null,
): Promise<void> {
  // A read's or a prompt's answer may hand over other resources too (embedded-reads.ts).
  const uri = typeof m.params.uri === 'string' ? m.params.uri : undefined;
  const reads = completion ?? embeddedReads(scope.session, m.method, uri);
  const readId = newId('mr');
  const extra = paramsBeyond(m.params, Object.keys(what));
  const bound = asked === undefined ? what : { ...what, method: asked };
  const { session } = scope;
  const payload: JsonObject = {
    read_id: readId,
    request_id: String(m.id),
    ...bound,
    ...(extra !== null ? { params: extra } : {}),
    ...traceFacts(scope),
  };
  // Refused by a read rule, unless a rule of its own denies it: that one then refuses it, by name.
  if (completion?.refusal && session.judge(type, payload).action !== 'deny') {
    await session.refuseAction(type, payload, completion.refusal).catch(() => undefined);
    return sendRpcError(scope.res, completion.refusal, m.id);
  }
  try {
    // Write-ahead and through policy like a call; a review is bound to what was asked for, the
    // caller and whatever else the params carry.
    await session.submit(type, payload, {
      signal: scope.signal,
      actionDigest: () =>
        actionDigest([
          type,
          canonicalJson(bound),
          session.identity.subject,
          ...(extra !== null ? [canonicalJson(extra)] : []),
        ]),
    });
  } catch (err) {
    return sendRpcError(scope.res, toVigilError(err), m.id);
  }
  await forward(served, scope, m, {
    ...(reads ? { onAnswer: reads.onAnswer } : {}),
    afterAnswer: (answer) =>
      recordResult(served, scope, {
        read_id: readId,
        method: m.method,
        ...answerFacts(answer),
        ...(reads ? reads.withheld() : {}),
      }),
    onFailure: (error) => recordFailure(scope, { read_id: readId, method: m.method }, error),
  });
}

async function toolCall(served: McpServed, scope: RequestScope, m: RequestMessage): Promise<void> {
  const { session } = scope;
  if (typeof m.params.name !== 'string' || m.params.name === '') {
    return refuse(scope, m, new VigilError('protocol_violation', 'tools/call needs params.name'));
  }
  if (m.params.task !== undefined) {
    return refuse(
      scope,
      m,
      new VigilError('protocol_violation', 'task-augmented tool calls are not supported through Vigil'),
    );
  }
  if (m.params.arguments !== undefined && !isObject(m.params.arguments)) {
    // Judged and recorded as {} it would still be forwarded as sent: refused instead.
    return refuse(scope, m, malformed('tools/call params.arguments'));
  }
  const tool = m.params.name;
  const args = isObject(m.params.arguments) ? m.params.arguments : {};
  // The call goes on as sent, so whatever else its params carry (`_meta`, a field of a later
  // revision) reaches the server too: recorded, and bound to a review, with the arguments.
  const extra = paramsBeyond(m.params, ['name', 'arguments']);
  const callId = newId('mc');
  await served.pins.fresh();
  let state = served.pins.status(tool);
  // A refusal is checked against the store itself: an approval given a moment ago counts.
  if (state.status !== 'pinned') {
    await served.pins.fresh(0);
    state = served.pins.status(tool);
  }
  if (state.status === 'unknown') {
    try {
      await refreshListing(served, scope);
    } catch (err) {
      // Without a listing the tool cannot be checked against a pin: refused, fail closed.
      const error = toVigilError(err, 'upstream_failed');
      return refuse(
        scope,
        m,
        new VigilError(error.code, `the upstream's tools could not be listed: ${error.message}`),
      );
    }
    state = served.pins.status(tool);
  }
  const pinned = state.pin?.approved?.digest ?? null;
  const payload: JsonObject = {
    call_id: callId,
    request_id: String(m.id),
    tool,
    arguments: args,
    tool_digest: pinned,
    ...(extra !== null ? { params: extra } : {}),
    ...traceFacts(scope),
  };
  const refuseCall = async (error: VigilError): Promise<void> => {
    await session.refuseAction('mcp.call', payload, error).catch(() => undefined);
    sendRpcError(scope.res, error, m.id);
  };
  if (!toolAllowed(served.config.tools, tool)) {
    return refuseCall(
      new VigilError('policy_denied', `tool ${tool} is not allowed on this connection`, {
        details: { rule: 'connection.tools' },
      }),
    );
  }
  if (state.status !== 'pinned') {
    const rule = { details: { rule: 'tool-pin' } };
    return refuseCall(new VigilError('tool_unapproved', unpinnedReason(tool, state.status), rule));
  }
  // A key a case-insensitive server reads as a declared property is refused (argument-spellings.ts).
  const misspelt = misspeltArgument(args, state.pin?.approved?.definition);
  if (misspelt) return refuseCall(misspelt);
  try {
    // Write-ahead; a review is bound to the tool, these exact arguments, the caller and the pin.
    await session.submit('mcp.call', payload, {
      signal: scope.signal,
      actionDigest: () =>
        actionDigest([
          tool,
          canonicalJson(args),
          pinned,
          session.identity.subject,
          ...(extra !== null ? [canonicalJson(extra)] : []),
        ]),
    });
  } catch (err) {
    return sendRpcError(scope.res, toVigilError(err), m.id);
  }
  // A review may have waited long: the tool must still be the one that was pinned (the view is
  // re-read if it is older than a second, as on every call; an unreviewed call pays nothing here).
  await served.pins.fresh();
  const now = served.pins.status(tool);
  if (now.status !== 'pinned' || now.pin?.approved?.digest !== pinned) {
    const error = new VigilError('tool_unapproved', `tool ${tool} changed while the call waited`);
    await recordFailure(scope, { call_id: callId, tool }, error).catch(() => undefined);
    return sendRpcError(scope.res, error, m.id);
  }
  // A resource embedded in the result, or linked from it, is judged as a read of it (embedded-reads.ts).
  const reads = embeddedReads(session, 'tools/call')!;
  await forward(served, scope, m, {
    onAnswer: reads.onAnswer,
    afterAnswer: (answer) =>
      recordResult(served, scope, { call_id: callId, tool, ...callOutcome(answer), ...reads.withheld() }),
    onFailure: (error) => recordFailure(scope, { call_id: callId, tool }, error),
  });
}
