// Ports: the interfaces the core needs from the outside world. Implementations live at the edge
// (store/*, mask/, ledger/) and are wired together in server/.

import type { AccessStore } from './access-ports.js';
import type { ApprovalStore } from './approval-ports.js';
import type { EventSelection } from './event-selection.js';
import type {
  EventContent,
  IdentityKind,
  JsonObject,
  RecordedEvent,
  SessionSummary,
  StoredEvent,
} from './events.js';
import type { ChangeFeed, ModuleStateStore, ReplicaLeases } from './replica-ports.js';

export interface SessionFilter {
  /** The subject. */
  readonly identity?: string;
  /** The kind of holder: the user `deploy` and the service account `deploy` share a subject. */
  readonly identityKind?: IdentityKind;
  readonly connection?: string;
  /** ISO time: sessions with activity at or after it. */
  readonly since?: string;
  /** ISO time: sessions started before it. */
  readonly until?: string;
  /**
   * With `until`: sessions started exactly at `until` whose id sorts after this one come too. The
   * list is ordered newest first, then by id, so `until` and `afterId` of a page's last session
   * go on right after it: `until` alone would skip the sessions that started in its millisecond.
   */
  readonly afterId?: string;
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
   * A stream masker for a text that is recorded as a string value: what it lets through is masked
   * as maskPayload masks that string, the secret-named fields written in it (`NAME=…` lines, YAML,
   * a JSON document) included, which the text rules of createStreamMasker do not know.
   */
  createValueStreamMasker(connection: string): StreamTextMasker;
  /**
   * A stream masker for the secrets the gateway holds only (injected credentials and the other known
   * secrets), for answers a client is otherwise entitled to read as they came.
   */
  createKnownSecretsMasker(): StreamTextMasker;
  /** `text` with the secrets the gateway holds masked, and nothing else. */
  maskKnownSecrets(text: string): string;
  /** Whether a column, key or field of this name holds a secret (`masking.secret_names`). */
  isSecretName(name: string): boolean;
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

export type {
  AccessStore,
  DisabledIdentity,
  ScimGroupRecord,
  ScimTokenRecord,
  ScimTokenRevocation,
  ScimUserRecord,
  ServiceTokenRecord,
} from './access-ports.js';
export {
  APPROVAL_KINDS,
  APPROVAL_STATUSES,
  type ApprovalCursor,
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
