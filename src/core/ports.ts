// Ports: the interfaces the core needs from the outside world. Implementations live at the edge
// (store/*, mask/, ledger/) and are wired together in server/.

import type { ApprovalStore } from './approval-ports.js';
import type { EventSelection } from './event-selection.js';
import type { EventContent, JsonObject, RecordedEvent, SessionSummary, StoredEvent } from './events.js';
import type { ChangeFeed, ModuleStateStore, ReplicaLeases } from './replica-ports.js';

export interface SessionFilter {
  readonly identity?: string;
  readonly connection?: string;
  /** ISO time: sessions with activity at or after it. */
  readonly since?: string;
  /** ISO time: sessions started before it. */
  readonly until?: string;
  /**
   * Case-insensitive text search over recorded payloads (prompts, responses, statements); every
   * character matches itself (no wildcards).
   */
  readonly search?: string;
  readonly limit?: number;
}

/** The head of one session's hash chain, needed to append its next event. */
export interface SessionHead {
  readonly nextSeq: number;
  readonly lastHash: string;
  readonly ended: boolean;
}

/** A signed statement of the Merkle log: `size` leaves hash to `root`. */
export interface SignedCheckpoint {
  readonly size: number;
  /** Merkle root, hex. */
  readonly root: string;
  /** ISO time the checkpoint was made. */
  readonly time: string;
  /** Identifies the Ed25519 key (hex of the first 8 bytes of SHA-256 of its raw public key). */
  readonly keyId: string;
  /** Ed25519 signature over the canonical encoding of {size, root, time, key_id}, base64. */
  readonly signature: string;
}

export interface SessionMeta {
  readonly id: string;
  readonly protocol: string;
  /** The gateway replica serving the session (its owner until it ends); none for the CLI's own sessions. */
  readonly replica?: string;
}

/** The payloads one purge drops: exactly the events in these global index ranges. */
export interface PurgePlan {
  /** ISO time: only events recorded before it. */
  readonly before: string;
  /** Inclusive [first, last] global index ranges, ascending and disjoint. */
  readonly ranges: readonly (readonly [number, number])[];
  /** Events the ranges hold. */
  readonly count: number;
}

export interface PurgeOutcome {
  readonly plan: PurgePlan;
  /** Payloads actually dropped (fewer than planned if another purge dropped some meanwhile). */
  readonly dropped: number;
}

/** Which page of a session `Store.readSessionPage` reads. */
export interface SessionPageRequest {
  /** Only events with a greater `seq`; -1 (the default) reads from the start. */
  readonly afterSeq?: number;
  /** At most this many events, at least 1. */
  readonly limit: number;
  /**
   * Optional: the page ends with the event at which the UTF-8 bytes of the payloads read reach this
   * many (the first event is read whatever its size, so every page moves on).
   */
  readonly maxPayloadBytes?: number;
}

export interface SessionPage {
  readonly events: StoredEvent[];
  /** The `afterSeq` of the next page when the session had more events than this page, else null. */
  readonly nextAfterSeq: number | null;
}

/** The global positions an append gave its batch: `firstIndex`, `firstIndex + 1`, ... in order. */
export interface AppendedPositions {
  readonly firstIndex: number;
}

/**
 * Durable storage of the ledger. Every method may be called concurrently; `appendEvents` must be
 * atomic (all or nothing) and durable when its promise resolves.
 */
/** Why a store refuses a batch passed to `appendAfter` whose batch underneath was not written. */
export const CONTINUES_UNWRITTEN = 'the batch it continues was not written';

export interface Store {
  /**
   * Appends one batch in a single transaction. Events come in `index` order, contiguous. A store
   * either keeps the given indexes (refusing the batch when one is taken) or, when several writers
   * share it, numbers the batch itself from its head inside the transaction; the event hash does not
   * cover the index, so either is sound. Resolves to where the batch actually went.
   */
  appendEvents(
    events: readonly RecordedEvent[],
    sessions?: readonly SessionMeta[],
  ): Promise<AppendedPositions>;
  /**
   * Optional. Appends a batch that continues the last one passed to `appendEvents` or `appendAfter`,
   * which may not have committed yet: its sequence numbers and hashes chain onto that batch's. The
   * store writes it after that batch and refuses it, writing nothing, when that batch was not
   * written. The recorder hands the next batch over this way while one is on disk, so that the
   * writer starts it without waiting for the recorder's thread. One caller per store uses it.
   * A refusal's cause says CONTINUES_UNWRITTEN.
   */
  appendAfter?(
    events: readonly RecordedEvent[],
    sessions?: readonly SessionMeta[],
  ): Promise<AppendedPositions>;
  /** Number of events in the global log. */
  ledgerSize(): Promise<number>;
  sessionHead(sessionId: string): Promise<SessionHead | null>;
  /** Events of one session in `seq` order. */
  readSession(sessionId: string): Promise<StoredEvent[]>;
  /**
   * One page of a session's events, in `seq` order: those after `afterSeq`, at most `limit`, and no
   * more once the payloads read reach `maxPayloadBytes` (the page always holds at least one event
   * when any remains). A reader of a long session (the console's timeline) reads it page by page, so
   * that no single call builds the whole session on the event loop. Payloads as readSession gives them.
   */
  readSessionPage(sessionId: string, request: SessionPageRequest): Promise<SessionPage>;
  /** Events in global order from `fromIndex`, at most `limit`. */
  readEvents(fromIndex: number, limit: number): Promise<StoredEvent[]>;
  /**
   * The content of one session's events of the selected types, in `seq` order, without hashes, each
   * payload without the members `selection.omit` names for its type: what readSession gives, cut
   * down, so that a reader of a 10,000-call session (the reasoning tree) does not build and collect
   * objects it never reads. A payload in object storage is fetched and checked as readSession does.
   */
  readSessionContent(sessionId: string, selection: EventSelection): Promise<EventContent[]>;
  getSession(sessionId: string): Promise<SessionSummary | null>;
  /** Newest first (by start), at most `filter.limit` (100 by default). */
  listSessions(filter: SessionFilter): Promise<SessionSummary[]>;
  /** Sessions that have no `session.end` event (open, or cut short by a crash). */
  openSessions(): Promise<SessionSummary[]>;
  /**
   * Retention. Plans which payloads of events recorded before `before` to drop (never a
   * `ledger.purged` event's), hands the plan to `recordIntent` to record it durably in the ledger,
   * and only then drops exactly those payloads in one transaction; hashes stay. Nothing is dropped
   * when recording fails; an empty plan is neither recorded nor applied.
   */
  purgePayloads(before: string, recordIntent: (plan: PurgePlan) => Promise<void>): Promise<PurgeOutcome>;
  appendCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  /** In size order. */
  listCheckpoints(): Promise<SignedCheckpoint[]>;
  /** The checkpoint of the largest size, or null before the first. */
  latestCheckpoint(): Promise<SignedCheckpoint | null>;
}

/** One stored event exactly as the store holds it: text columns as text, so every byte is hashed. */
export interface RawEventRow {
  readonly index: number;
  readonly sessionId: string;
  readonly seq: number;
  readonly type: string;
  readonly time: string;
  readonly connection: string;
  /** A denormalised copy of identity.subject kept for listings, when the store has one. */
  readonly subject: string | null;
  /** The identity as stored (JSON text). */
  readonly identity: string;
  /**
   * Canonical JSON text of the payload, or null once retention purged it. For a payload kept in
   * object storage (`payloadObject`), the store's column is null and a reader that fetched the object
   * gives its text here (still null when the object is missing).
   */
  readonly payload: string | null;
  /**
   * The object key of a payload kept in object storage, null (or absent, for readers that predate
   * it) when the payload is inline or purged. Not covered by the event hash: the object's text is
   * checked against `payloadHash` like an inline payload.
   */
  readonly payloadObject?: string | null;
  readonly payloadHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface EventReadOptions {
  /**
   * False for a reader of hashes only (Merkle leaves: checkpoints, witnesses, bundle proofs): a
   * payload kept in object storage is then not fetched, and its row reads as stored (payload null,
   * payloadObject set). Payloads are read unless this is false.
   */
  readonly payloads?: boolean;
}

/**
 * A session record as stored. Written with the session's first event (seq 0), from that event's
 * connection, identity and time; its count grows with every event the session appends.
 */
export interface SessionRecord {
  readonly id: string;
  readonly connection: string;
  /** The denormalised subject `vigil sessions --identity` filters by. */
  readonly subject: string;
  /** The identity as stored (JSON text), spelled as the event's `identity` column. */
  readonly identity: string;
  readonly startedAt: string;
  readonly eventCount: number;
  /** The protocol `vigil sessions --protocol` filters by. */
  readonly protocol: string;
  /** The time of the session's session.end, null while it is open. */
  readonly endedAt: string | null;
  /** The reason its session.end gave, as `vigil sessions` shows it. */
  readonly endReason: string | null;
}

/**
 * Where verification, checkpoints and export read the log from. A store may read its rows raw (no
 * payload parsing) for speed; any Store also works through ledger/event-source.ts storeEventSource.
 */
export interface EventSource {
  /** Rows in index order from `fromIndex`, at most `limit`. */
  readEvents(fromIndex: number, limit: number, options?: EventReadOptions): Promise<readonly RawEventRow[]>;
  /** Number of rows, for progress. */
  count(): Promise<number>;
  /**
   * Every session record (the `sessions` table: what `vigil sessions` lists and filters by), as
   * stored. A derived index, not the source of truth: verification checks each against its
   * session's hashed events.
   */
  sessionRecords(): Promise<readonly SessionRecord[]>;
  /**
   * The `ledger.purged` events, in index order: read before the log so that a missing payload can
   * be judged where it stands (its purge record comes later in the log).
   */
  purgeRecords(): Promise<readonly RawEventRow[]>;
}

/**
 * How another thread opens a reader of the same log for itself (verification's workers read their
 * own ranges): `module` is the URL of a module whose `openEventSource(data)` resolves to an
 * OpenedEventSource, `data` plain structured-cloneable data for it. Whoever opened the store (the
 * CLI) says how to open it again, so the ledger never imports a store.
 */
export interface EventSourceOpener {
  readonly module: string;
  readonly data: unknown;
}

/** What an EventSourceOpener's module resolves to: the reader, and how to release it. */
export interface OpenedEventSource {
  readonly source: EventSource;
  close(): Promise<void>;
}

/**
 * Object storage for large payloads (src/store/objects): content-addressed, so a key always names the
 * same bytes. `put` resolves only once the object is durable; a store that cannot say so rejects.
 * `put` always writes, even over an existing object: an object's modification time is then that of
 * the newest event naming it, which retention by age relies on (docs/object-storage.md).
 */
export interface ObjectStore {
  /** Writes (or overwrites with the same bytes) the object at `key`. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The object's bytes, or null when there is no such object. Rejects when the service fails. */
  get(key: string): Promise<Uint8Array | null>;
  /** Whether the object exists (without reading it). */
  has(key: string): Promise<boolean>;
  /** Releases connections; the store is unusable after. */
  close(): Promise<void>;
}

/** Masks secrets and personal data in an event payload before it is hashed or stored. */
export interface PayloadMasker {
  maskPayload(payload: JsonObject, connection: string): JsonObject;
  maskText(text: string, connection: string): string;
  /** A masker for text that arrives in pieces (stream deltas), holding back at most a bounded window. */
  createStreamMasker(connection: string): StreamTextMasker;
  /**
   * A stream masker for the secrets the gateway holds only (injected credentials and the other known
   * secrets), for answers a client is otherwise entitled to read as they came.
   */
  createKnownSecretsMasker(): StreamTextMasker;
  /** `text` with the secrets the gateway holds masked, and nothing else. */
  maskKnownSecrets(text: string): string;
}

/** Masks a text fed piece by piece: `push` returns what is safe to emit now, `end` the rest. */
export interface StreamTextMasker {
  push(chunk: string): string;
  end(): string;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A service account's token, stored by hash only. */
export interface ServiceTokenRecord {
  readonly id: string;
  readonly name: string;
  /** SHA-256 (hex) of the opaque token. */
  readonly tokenHash: string;
  /** Connections the token may use; empty means none. */
  readonly connections: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

export interface DisabledIdentity {
  readonly subject: string;
  readonly disabledAt: string;
  readonly reason: string;
}

/**
 * Who may still act: service-account tokens, disabled identities, revoked token ids. Shared by every
 * gateway replica and the CLI through the store; `accessVersion` changes whenever any of it does,
 * so a gateway notices an offboarding with one cheap read.
 */
export interface AccessStore {
  accessVersion(): Promise<number>;
  createServiceToken(record: ServiceTokenRecord): Promise<void>;
  findServiceToken(tokenHash: string): Promise<ServiceTokenRecord | null>;
  listServiceTokens(): Promise<ServiceTokenRecord[]>;
  /**
   * Revokes a service token, or records an issued Vigil token's id as revoked (issued tokens are not
   * stored before that). Returns false when the id was already revoked.
   */
  revokeToken(id: string, at: string): Promise<boolean>;
  revokedTokenIds(): Promise<Set<string>>;
  disableIdentity(subject: string, at: string, reason: string): Promise<void>;
  enableIdentity(subject: string): Promise<boolean>;
  disabledIdentities(): Promise<DisabledIdentity[]>;
  /**
   * Sign-in assertions already used (SAML), by a hashed key: remembers `key` until `until` (ISO)
   * unless it is remembered past `now` already, and says whether it was fresh. Atomic, so one
   * assertion posted to two replicas at once signs in once.
   */
  rememberAssertion(key: string, until: string, now: string): Promise<boolean>;
  /** Whether `key` is remembered past `now`. */
  assertionUsed(key: string, now: string): Promise<boolean>;
  /** SCIM provisioning (src/scim): its bearer tokens, users and groups. Every write bumps accessVersion. */
  createScimToken(record: ScimTokenRecord): Promise<void>;
  /** The token with this hash, revoked or expired ones included (the caller refuses those). */
  findScimToken(tokenHash: string): Promise<ScimTokenRecord | null>;
  /** Every SCIM token ever issued, revoked and expired ones included, oldest first. */
  listScimTokens(): Promise<ScimTokenRecord[]>;
  /**
   * Marks a SCIM token revoked at `at` (kept, for the record); says whether this call revoked it,
   * found it revoked already, or found no token with that id. Only a revocation bumps accessVersion.
   */
  revokeScimToken(id: string, at: string): Promise<ScimTokenRevocation>;
  /**
   * Inserts or replaces a SCIM user by id. Throws VigilError scim_conflict when another user has the
   * same userName (compared case-insensitively, as RFC 7643 says userName is).
   */
  putScimUser(record: ScimUserRecord): Promise<void>;
  /** Deletes a user and its group memberships; false when there was none. */
  deleteScimUser(id: string): Promise<boolean>;
  listScimUsers(): Promise<ScimUserRecord[]>;
  /** Inserts or replaces a SCIM group by id; scim_conflict when another group has the same displayName. */
  putScimGroup(record: ScimGroupRecord): Promise<void>;
  deleteScimGroup(id: string): Promise<boolean>;
  listScimGroups(): Promise<ScimGroupRecord[]>;
}

/** A SCIM client's bearer token (an identity provider's provisioning connector), stored by hash only. */
export interface ScimTokenRecord {
  readonly id: string;
  /** Who the token is for ("okta", "entra"): SCIM changes are recorded as `scim:<name>`. */
  readonly name: string;
  /** SHA-256 (hex) of the opaque token. */
  readonly tokenHash: string;
  readonly createdAt: string;
  /**
   * When the token stops working (ISO). Chosen at issue (src/scim/scim-tokens.ts); tokens issued
   * before expiry existed were given one by the migration that added it.
   */
  readonly expiresAt: string;
  /** When an admin revoked it (ISO), or null. A revoked token is refused from its next use on. */
  readonly revokedAt: string | null;
}

/** What AccessStore.revokeScimToken found. */
export type ScimTokenRevocation = 'revoked' | 'already_revoked' | 'unknown';

/** A provisioned user: its userName is a Vigil subject. */
export interface ScimUserRecord {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  /** The rest of the SCIM resource as the provider sent it (name, emails, ...), without id and meta. */
  readonly attributes: JsonObject;
  /**
   * Vigil tokens issued at or before this time (ISO) are refused for this subject: set when the user
   * is deactivated, so re-activation needs a new sign-in. Null when never deactivated.
   */
  readonly tokensRevokedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Increments on every change; the resource's ETag. */
  readonly version: number;
}

/** A provisioned group: its displayName is the Vigil group (`group:<displayName>`). */
export interface ScimGroupRecord {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  /** Ids of member users. */
  readonly members: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export {
  APPROVAL_KINDS,
  APPROVAL_STATUSES,
  type ApprovalKind,
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalStore,
  type ApprovalVote,
  type GrantRecord,
  type VoteResult,
} from './approval-ports.js';
export type { EventSelection } from './event-selection.js';
export type {
  AdoptedSession,
  ChangeFeed,
  ChangeTopic,
  ModuleStateStore,
  ReplicaInfo,
  ReplicaLeases,
} from './replica-ports.js';

/**
 * Everything Vigil keeps, from one backend: the ledger, access state, approvals and a fast reader
 * of the log, all over the same storage so that they agree. src/store/index.ts openStore picks the
 * backend from the configuration; test/store/conformance.ts is the contract every backend passes.
 */
export interface StoreBundle {
  readonly ledger: Store;
  readonly access: AccessStore;
  readonly approvals: ApprovalStore;
  /** The ledger's log as stored; reads what `ledger` wrote, byte for byte. */
  readonly eventSource: EventSource;
  readonly replicas: ReplicaLeases;
  readonly changes: ChangeFeed;
  readonly moduleState: ModuleStateStore;
  /** Releases all of it (and finishes writes already accepted); the bundle is unusable after. */
  close(): Promise<void>;
}
