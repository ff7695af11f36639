// Notifications, both ways. A client's (a progress update with its message, a cancellation with its
// reason, `initialized`, roots changed) carries the client's data to the server: recorded before it
// is forwarded, and not forwarded when it cannot be recorded (fail closed, as a client's answer to
// a server request). A server's (log lines, progress, resource and list changes) is what the client
// is told: recorded as it is relayed, deferred like a result (docs/adr/0006), so a stream of
// progress updates costs a call no commit of its own and the client is never held for one.
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';

type Notification = Extract<JsonRpcMessage, { kind: 'notification' }>;

/**
 * Notifications a client may send (2025-11-25). Any other is refused: a server that acts on a
 * method whatever its framing would run a `tools/call` sent without an id, unjudged and unrecorded.
 */
export const CLIENT_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

/**
 * Records a client's notification before it is forwarded; rejects (record_failed) when it cannot be
 * recorded, and the caller then does not forward it. Every one is recorded, not only those with a
 * free-text field: any of them may carry `_meta`, and the record is to be what the server was sent.
 * They are rare (one `initialized` a session, a cancellation now and then), so the commit costs little.
 */
export async function recordClientNotification(session: ModuleSession, m: Notification): Promise<void> {
  await session.observe('mcp.client_notification', { method: m.method, params: m.params });
}

/** Records a message relayed to the client that neither answers its request nor asks it anything. */
export type ServerNotified = (m: JsonRpcMessage) => void;

/**
 * What records the server's notifications on one stream: a request's (`requestId`, the client's
 * JSON-RPC id, so a progress update can be read beside its call) or the GET stream (null). Called
 * just after the message is written: the masking and queueing are not on the client's path, and
 * the record is queued in the same tick, so it keeps its place before the answer's. A JSON-RPC error
 * with id null (a message the server could not read) reaches the client too and is recorded alike.
 */
export function serverNotificationRecorder(
  session: ModuleSession,
  requestId: JsonRpcId | null,
  notRecorded: (err: unknown) => void,
): ServerNotified {
  const on: JsonObject = requestId === null ? {} : { request_id: String(requestId) };
  return (m) => {
    let facts: JsonObject;
    if (m.kind === 'notification') facts = { method: m.method, params: m.params, ...on };
    else if (m.kind === 'error' && m.id === null) facts = { method: null, error: m.error, ...on };
    else return;
    session.observe('mcp.server_notification', facts, { deferred: true }).catch(notRecorded);
  };
}
