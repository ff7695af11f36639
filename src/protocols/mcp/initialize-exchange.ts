// An initialize request: recorded before it is forwarded, answered with a session id that carries
// the state any replica needs, and the server's instructions checked against their pin before the
// client has them. The answer is recorded as the client got it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type JsonObject, nowIso } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/replica-ports.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { type ClientView, relayReply } from './client-reply.js';
import type { McpConnectionConfig } from './config.js';
import { pinnedInitializeResult } from './instructions-pin.js';
import type { JsonRpcMessage } from './jsonrpc.js';
import { serverNotificationRecorder } from './notifications.js';
import { requestSignal } from './request-signal.js';
import { serverRequestGate } from './server-requests.js';
import type { McpSessionState } from './session-token.js';
import type { McpUpstream, UpstreamTarget } from './upstream.js';

/** What an initialize exchange needs of its connection. */
export interface InitializeHost {
  readonly config: McpConnectionConfig;
  readonly upstream: McpUpstream;
  readonly view: ClientView;
  readonly moduleState: ModuleStateStore;
  readonly resultNotRecorded: (err: unknown) => void;
  encodeSession(state: McpSessionState): string;
}

export async function initializeExchange(
  host: InitializeHost,
  session: ModuleSession,
  req: IncomingMessage,
  res: ServerResponse,
  message: Extract<JsonRpcMessage, { kind: 'request' }>,
  nonce: string,
  version: string | null,
): Promise<void> {
  const requested =
    typeof message.params.protocolVersion === 'string' ? message.params.protocolVersion : '2025-11-25';
  const state = (upstreamSessionId: string | null, protocolVersion: string): McpSessionState => ({
    nonce,
    subject: session.identity.subject,
    kind: session.identity.kind,
    upstreamSessionId,
    protocolVersion,
    initialize: message.params,
  });
  const target: UpstreamTarget = { key: nonce, session: null, protocolVersion: version };
  const { signal, done } = requestSignal(req, res, session);
  let pinFacts: JsonObject = {};
  try {
    // The client's initialize params (its clientInfo, capabilities, `_meta`, whatever else they
    // carry) reach the server as sent: recorded before they are forwarded, as a notification is.
    await session.observe('mcp.listing', {
      request_id: String(message.id),
      method: 'initialize',
      params: message.params,
    });
    const reply = await host.upstream.send(message, target, signal);
    const headers: Record<string, string> = {
      'mcp-session-id': host.encodeSession(state(reply.sessionId, requested)),
      'x-vigil-session-id': session.id,
    };
    await relayReply(res, reply.messages, {
      id: message.id,
      headers,
      signal,
      serverRequests: serverRequestGate(host.config.server_requests, host.upstream, session, target, signal),
      notified: serverNotificationRecorder(session, message.id, host.resultNotRecorded),
      onFailure: async () => undefined,
      view: host.view,
      onAnswer: async (answer) => {
        if (answer.kind !== 'response') return answer;
        if (typeof answer.result.protocolVersion === 'string') {
          headers['mcp-session-id'] = host.encodeSession(
            state(reply.sessionId, answer.result.protocolVersion),
          );
        }
        // The server's instructions, checked against their pin before the client has them.
        const pinned = await pinnedInitializeResult(
          host.moduleState,
          host.config.name,
          answer.result,
          nowIso(),
        );
        pinFacts = pinned.facts;
        return { ...answer, result: pinned.result };
      },
      // The answer's `instructions` is text the client hands its model, as it does a tool's
      // description, and its capabilities decide what the client offers: recorded as the client
      // got it, deferred like a listing (it reaches the client, not a target), with the pin they
      // were checked against and, when they changed, what the upstream served instead.
      afterAnswer: (answer) => {
        session
          .observe(
            'mcp.listing',
            {
              request_id: String(message.id),
              method: 'initialize',
              ...(answer.kind === 'error' ? { error: answer.error } : {}),
              ...(answer.kind === 'response' ? { result: answer.result } : {}),
              ...pinFacts,
            },
            { deferred: true },
          )
          .catch(host.resultNotRecorded);
      },
    });
  } finally {
    done();
  }
}
