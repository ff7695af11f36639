// The session event model: every protocol turns its traffic into these events, and every event
// passes through the same pipeline (authenticate, authorize, policy, mask, record, forward).
// Pure data: nothing in core/ performs I/O.

/** Who acted: a user, a service account, or nobody we could authenticate. */
export interface Identity {
  readonly subject: string;
  readonly kind: IdentityKind;
  readonly groups: readonly string[];
  /** Identifies the credential used (a token id), never the credential itself. */
  readonly tokenId?: string;
}

/**
 * The form of a subject two spellings of one person share: ASCII letters folded to lower case,
 * every other character kept as it is. Only ASCII is folded because Unicode lower-casing maps
 * other letters onto ASCII ones (the Kelvin sign `\u212A` onto `k`, `\u0130` onto `i` and a dot):
 * with `toLowerCase`, whoever could choose the subject `\u212Aate@example.com` would be `kate`.
 */
export function subjectKey(subject: string): string {
  return subject.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Whether two subjects name the same person. ASCII case is not a difference: SCIM compares userName
 * without case (RFC 7643 §4.1.1), so `Dana@Example.com` gets the groups of the SCIM user
 * `dana@example.com`, and many providers let one person hold accounts whose addresses differ only
 * in case. Used wherever counting one person twice would let them through (deciding their own
 * request, voting twice, a disabled identity signing in under another spelling).
 */
export function sameSubject(a: string, b: string): boolean {
  return a === b || subjectKey(a) === subjectKey(b);
}

/**
 * Whether two identities are one holder, for what belongs to someone (a grant, a session, a
 * request): the same kind and exactly the same subject. A service account's subject is the name
 * it was given, a user's the one the identity provider sends, so the user `deploy` and the service
 * account `deploy` share a subject and are still two holders. The subject is compared exactly, as
 * these checks always did; sameSubject is for counting one person twice.
 */
export function sameIdentity(
  a: { readonly subject: string; readonly kind: string },
  b: { readonly subject: string; readonly kind: string },
): boolean {
  return a.kind === b.kind && a.subject === b.subject;
}

export const IDENTITY_KINDS = ['user', 'service', 'anonymous'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const ANONYMOUS: Identity = Object.freeze({ subject: 'anonymous', kind: 'anonymous', groups: [] });

export const EVENT_TYPES = [
  'session.start',
  'session.end',
  'llm.request',
  'llm.response',
  'llm.chunk',
  'db.query',
  'db.result',
  /**
   * The data a client sent with PostgreSQL's COPY … FROM STDIN (its first lines, masked, and the
   * size and SHA-256 of all of it), committed before the client's CopyDone reaches the server.
   */
  'db.copy_data',
  /**
   * A database client's request to cancel its running statement, arriving on a connection of its
   * own (PostgreSQL's CancelRequest), recorded in the session it cancels before the server gets it.
   */
  'db.cancel',
  'ssh.input',
  'ssh.output',
  'ssh.exec',
  /** A command line entered at an interactive shell prompt, linked to its place in the terminal stream. */
  'ssh.command',
  /** A file transfer (sftp, scp): path, direction, size, SHA-256. */
  'ssh.file',
  /** A forwarded channel (port forwarding), when the connection allows it. */
  'ssh.forward',
  /** How an exec, shell or subsystem channel ended: exit status or signal. */
  'ssh.exit',
  /** A signal the user's client asked the host to send to a channel's program, or a refused one. */
  'ssh.signal',
  /** The upstream host key Vigil accepted for the session, and why (configured, pinned, first use). */
  'ssh.host_key',
  'http.request',
  'http.response',
  'mcp.call',
  'mcp.result',
  /** A tool listing as the upstream served it, with each tool's pin digest and whether it matches its pin. */
  'mcp.tools',
  /** A tool whose definition differs from its pin (or a new tool held): the diff, recorded once per new digest. */
  'mcp.tool_changed',
  /** A resources/read or prompts/get (recorded before it is forwarded) and what came back. */
  'mcp.read',
  'mcp.prompt',
  /** A resources/list, resources/templates/list or prompts/list answer, as the client got it. */
  'mcp.listing',
  /** A completion/complete (the argument a user is typing), recorded before it is forwarded. */
  'mcp.completion',
  /** A request the upstream server sent the client (sampling, elicitation, roots), or refused on its way. */
  'mcp.server_request',
  /** The client's answer to a server request, recorded before it is forwarded to the upstream. */
  'mcp.client_answer',
  /** A notification the client sent the server (progress, a cancellation, initialized), recorded before it is forwarded. */
  'mcp.client_notification',
  /** A notification the server sent the client (a log line, progress, a change), as it was relayed. */
  'mcp.server_notification',
  'policy.decision',
  'approval.requested',
  'approval.decided',
  'access.denied',
  'access.granted',
  'access.revoked',
  'audit.viewed',
  'admin.action',
  /**
   * Retention dropped payloads: names exactly which events' payloads (global index ranges), the
   * `before` time and why. Recorded before the drop; its own payload is never purgeable, so a
   * missing payload that no such record covers is a fault.
   */
  'ledger.purged',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** JSON-compatible values: payloads are encoded canonically, so they must be plain data. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What an adapter hands to the pipeline: an event without its ledger position.
 * The recorder assigns `seq` and the hashes; the masker rewrites `payload` before either happens.
 */
export interface EventDraft {
  readonly type: EventType;
  readonly sessionId: string;
  readonly connection: string;
  readonly identity: Identity;
  /** ISO-8601 UTC with milliseconds. */
  readonly time: string;
  readonly payload: JsonObject;
}

/** An event as stored in the ledger: its position in the session chain and in the global log. */
export interface RecordedEvent extends EventDraft {
  /** Per-session sequence number, contiguous from 0. */
  readonly seq: number;
  /** Position in the global append-only log (the Merkle leaf index), contiguous from 0. */
  readonly index: number;
  /** SHA-256 of the canonical payload, hex. The payload may be purged later; this commitment stays. */
  readonly payloadHash: string;
  /** Hash of the previous event of the same session (64 zeros for seq 0), hex. */
  readonly prevHash: string;
  /** SHA-256(prevHash || canonical(header)), hex; the header commits to payloadHash, not the payload. */
  readonly hash: string;
  /**
   * Set when the payload is kept in object storage under this key (src/store/offloading-store.ts):
   * the store then writes no payload text, only the key. Absent for an inline payload.
   */
  readonly payloadObject?: string;
}

/** A stored event whose payload retention removed: it still verifies through its payloadHash. */
export interface StoredEvent extends Omit<RecordedEvent, 'payload' | 'payloadObject'> {
  /** Null when purged, or when its object (payloadObject) is missing or does not match payloadHash. */
  readonly payload: JsonObject | null;
  /** The object key of a payload kept in object storage; null or absent for an inline one. */
  readonly payloadObject?: string | null;
}

/**
 * What a reader of an event's content needs, without its ledger position and hashes (the reasoning
 * tree reads these, from `Store.readSessionContent`). A StoredEvent is one.
 */
export interface EventContent {
  readonly sessionId: string;
  readonly seq: number;
  readonly type: EventType;
  readonly time: string;
  readonly identity: Identity;
  /** Null when purged, or when its object is missing or does not match its hash. */
  readonly payload: JsonObject | null;
  /** The object key, only where the payload is in object storage and was not read (see StoredEvent). */
  readonly payloadObject?: string | null;
  /** With payloadObject, from a backend: what the object's text must hash to (the wrapper checks it). */
  readonly payloadHash?: string;
}

export const SESSION_END_REASONS = [
  'idle',
  'closed',
  'client-closed',
  'revoked',
  'shutdown',
  'crash-recovered',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface SessionSummary {
  readonly id: string;
  readonly connection: string;
  readonly protocol: string;
  readonly identity: Identity;
  readonly startedAt: string;
  readonly lastEventAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly eventCount: number;
}

export function nowIso(ms: number = Date.now()): string {
  return new Date(ms).toISOString();
}
