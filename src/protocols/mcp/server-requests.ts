// Requests the upstream server sends the client (sampling, elicitation, roots) and the client's
// answers to them. A sampling request is a prompt the server has the client's model answer, and
// the answer (a completion, or what a user typed into an elicitation form) goes to the upstream:
// both are recorded, and the answer is an action, judged by policy and recorded before it is
// forwarded, as any data bound for a target is. A method the connection does not allow
// (`server_requests`) never reaches the client, and an answer refused never reaches the upstream:
// the upstream gets a JSON-RPC error for its request instead, and the refusal is recorded.
// A resource either side names in them (a sampling prompt that embeds a file, a `tool_result` in
// it that links one, an answer that does) is judged as a read of it, as in a tool's result
// (embedded-reads.ts): one a read rule refuses is left out of what is passed on and recorded as
// `withheld`. Until 7 December a server handed the client's model a resource the user could not
// read (test/mcp/attacker-nested-resources.test.ts).
import { actionDigest } from '../../core/action-digest.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { resourceReads } from './embedded-reads.js';
import { type JsonRpcMessage, RPC } from './jsonrpc.js';
import { withoutRefusedResources } from './nested-resources.js';
import type { McpUpstream, UpstreamTarget } from './upstream.js';

type ServerRequest = Extract<JsonRpcMessage, { kind: 'request' }>;
type ClientAnswer = Extract<JsonRpcMessage, { kind: 'response' | 'error' }>;

/** Decides a server request on its way to the client: the request to relay (resources a read rule refuses left out), or null when it was refused. */
export type ServerRequestGate = (m: ServerRequest) => Promise<ServerRequest | null>;

export function serverRequestGate(
  allowed: readonly string[],
  upstream: McpUpstream,
  session: ModuleSession,
  target: UpstreamTarget,
  signal: AbortSignal,
): ServerRequestGate {
  return async (m) => {
    const reads = resourceReads(session);
    const params = withoutRefusedResources(m.params, reads.keep);
    const relayed: ServerRequest = params === m.params ? m : { ...m, params };
    // Recorded as the client gets it, with what was withheld.
    const facts: JsonObject = { request_id: String(m.id), method: m.method, params, ...reads.withheld() };
    if (m.method === 'ping') {
      // A liveness check carries nothing and asks the client for nothing, so it always passes; one
      // that carries params (a `note`, a `_meta`) reaches the client with them, so is recorded.
      if (Object.keys(m.params).length > 0)
        await session.observe('mcp.server_request', facts, { deferred: true });
      return relayed;
    }
    if (allowed.includes(m.method)) {
      // Queued in order before it is relayed; nothing reaches a target on its strength, so the
      // client is not held for its commit (as for a result, docs/adr/0006).
      await session.observe('mcp.server_request', facts, { deferred: true });
      return relayed;
    }
    const error = new VigilError(
      'policy_denied',
      `the server's ${m.method} request is not allowed on this connection (server_requests)`,
      { details: { rule: 'connection.server_requests' } },
    );
    await session.observe('mcp.server_request', { ...facts, refused: error.code, reason: error.message });
    await answerRefused(upstream, m.id, error, target, signal);
    return null;
  };
}

/**
 * Submits the client's answer to a server request before it is forwarded: policy judges it (its
 * text is `answer` and the result as JSON, action-facts.ts) and it is recorded first, as it is
 * forwarded: without the resources a read rule refuses, which are recorded as `withheld`. Returns
 * the answer to forward. When it is refused, or cannot be recorded, the upstream gets a JSON-RPC
 * error for its request in its place, never the answer, and this throws.
 */
export async function submitClientAnswer(
  session: ModuleSession,
  given: ClientAnswer,
  upstream: McpUpstream,
  target: UpstreamTarget,
  signal: AbortSignal,
): Promise<ClientAnswer> {
  const reads = resourceReads(session);
  const m: ClientAnswer =
    given.kind === 'response'
      ? { ...given, result: withoutRefusedResources(given.result, reads.keep) }
      : { ...given, error: withoutRefusedResources(given.error, reads.keep) };
  const facts: JsonObject = {
    request_id: m.id === null ? null : String(m.id),
    ...(m.kind === 'response' ? { result: m.result } : { error: m.error }),
    ...reads.withheld(),
  };
  try {
    await session.submit('mcp.client_answer', facts, {
      signal,
      actionDigest: () => actionDigest(['mcp.client_answer', canonicalJson(facts), session.identity.subject]),
    });
  } catch (err) {
    if (m.id !== null) await answerRefused(upstream, m.id, toVigilError(err), target, signal);
    throw err;
  }
  return m;
}

/** Tells the upstream its request `id` is refused, so it does not wait for an answer that will not come. */
async function answerRefused(
  upstream: McpUpstream,
  id: ServerRequest['id'],
  error: VigilError,
  target: UpstreamTarget,
  signal: AbortSignal,
): Promise<void> {
  const answer: JsonRpcMessage = {
    kind: 'error',
    id,
    error: { code: RPC.refused, message: error.message, data: { code: error.code } },
  };
  try {
    const reply = await upstream.send(answer, target, signal);
    for await (const _ of reply.messages) {
      // Drained: nothing answers an answer.
    }
  } catch {
    // The upstream went away; it has no request left to wait on.
  }
}

/** Whether a message from the client answers a server request (as opposed to a notification). */
export function isClientAnswer(m: JsonRpcMessage): m is ClientAnswer {
  return m.kind === 'response' || m.kind === 'error';
}
