// What the MCP adapter needs of an upstream, whichever transport reaches it.
import type { JsonRpcMessage } from './jsonrpc.js';
import type { McpSessionState } from './session-token.js';

/** The session a message belongs to: null for an initialize or a stateless (2026-07-28) request. */
export interface UpstreamTarget {
  /** Names the upstream session on this replica (the session token's nonce, or `stateless` and the caller's subject). */
  readonly key: string;
  readonly session: McpSessionState | null;
  /** The MCP-Protocol-Version the client sent, when it sent one. */
  readonly protocolVersion: string | null;
}

export interface UpstreamReply {
  /** The upstream's session id (an HTTP upstream answering an initialize), else null. */
  readonly sessionId: string | null;
  /** What the upstream sent for this message, ending after the answer to a request (empty for a notification). */
  readonly messages: AsyncIterable<JsonRpcMessage>;
}

export interface McpUpstream {
  /** Sends one message; rejects with a VigilError (upstream_unreachable, session_unknown …) before anything arrives. */
  send(message: JsonRpcMessage, target: UpstreamTarget, signal: AbortSignal): Promise<UpstreamReply>;
  /** Messages the server sends on its own (the GET stream), or null when the upstream offers none. */
  listen(target: UpstreamTarget, signal: AbortSignal): Promise<AsyncIterable<JsonRpcMessage> | null>;
  /** Ends the upstream session (DELETE, or the stdio process). */
  terminate(target: UpstreamTarget): Promise<void>;
  close(): Promise<void>;
}
