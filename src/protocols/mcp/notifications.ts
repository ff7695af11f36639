// Notifications, both ways. A client's (a progress update with its message, a cancellation with its
// reason, `initialized`, roots changed) carries the client's data to the server: recorded before it
// is forwarded, and not forwarded when it cannot be recorded (fail closed, as a client's answer to
// a server request). A server's (log lines, progress, resource and list changes) is what the client
// is told: recorded as it is relayed, deferred like a result (docs/adr/0006), so a stream of
// progress updates costs a call no commit of its own and the client is never held for one. A
// server's `notifications/resources/updated` names a resource, subscribed or not: one whose URI a
// read rule refuses is withheld from the client and recorded as withheld (`withheld: <rule>`), so a
// denied resource's name and its changes do not reach the client that way (until 6 December they
// did: test/mcp/attacker-night-updates.test.ts). A list change names nothing and passes. Any
// notification that embeds or links a resource a read rule refuses (a log line whose `data` holds
// a file's contents, a `_meta`) is withheld whole the same way (since 7 December;
// test/mcp/attacker-nested-resources.test.ts).
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';
import { withoutRefusedResources } from './nested-resources.js';
import { readRefusedBy } from './read-judgement.js';

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

/** What happens to a message for the client that neither answers its request nor asks it anything. */
export interface ServerNotified {
  /** Before it is written: whether the client may have it; one it may not is recorded as withheld. */
  readonly admit: (m: JsonRpcMessage) => boolean;
  /** Just after it is written: records it. */
  readonly record: (m: JsonRpcMessage) => void;
}

/**
 * The read rule that withholds a server's notification, or null. Only an update names a resource;
 * one without a URI the rules can read is withheld (fail closed: the SDK client refuses it anyway).
 */
function withheldBy(session: ModuleSession, m: JsonRpcMessage): string | null {
  if (m.kind !== 'notification') return null;
  if (m.method === 'notifications/resources/updated') {
    const uri = m.params.uri;
    const rule = typeof uri === 'string' ? readRefusedBy(session, [uri]) : 'protocol_violation';
    if (rule !== null) return rule;
  }
  // A resource block anywhere in it (nested-resources.ts): the first rule that refuses one.
  let refused: string | null = null;
  withoutRefusedResources(m.params, (uri) => {
    const rule = uri === null ? 'protocol_violation' : readRefusedBy(session, [uri]);
    refused ??= rule;
    return rule === null;
  });
  return refused;
}

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
  const observe = (facts: JsonObject): void => {
    session.observe('mcp.server_notification', facts, { deferred: true }).catch(notRecorded);
  };
  return {
    admit: (m) => {
      const rule = withheldBy(session, m);
      if (rule === null || m.kind !== 'notification') return true;
      observe({ method: m.method, params: m.params, ...on, withheld: rule });
      return false;
    },
    record: (m) => {
      if (m.kind === 'notification') observe({ method: m.method, params: m.params, ...on });
      else if (m.kind === 'error' && m.id === null) observe({ method: null, error: m.error, ...on });
    },
  };
}
