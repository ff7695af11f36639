// Ports: the interfaces the core needs from the outside world. Implementations live at the edge
// (store/sqlite, store/postgres, mask/, ledger/) and are wired together in server/.
import type { JsonObject, RecordedEvent, SessionSummary, StoredEvent } from './events.js';

export interface SessionFilter {
  readonly identity?: string;
  readonly connection?: string;
  /** ISO time: sessions with activity at or after it. */
  readonly since?: string;
  /** ISO time: sessions started before it. */
  readonly until?: string;
  /** Case-insensitive text search over recorded payloads (prompts, responses, statements). */
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
}

/**
 * Durable storage of the ledger. Every method may be called concurrently; `appendEvents` must be
 * atomic (all or nothing) and durable when its promise resolves.
 */
export interface Store {
  /** Appends one batch in a single transaction. Events come in `index` order, contiguous. */
  appendEvents(events: readonly RecordedEvent[], sessions?: readonly SessionMeta[]): Promise<void>;
  /** Number of events in the global log. */
  ledgerSize(): Promise<number>;
  sessionHead(sessionId: string): Promise<SessionHead | null>;
  /** Events of one session in `seq` order. */
  readSession(sessionId: string): Promise<StoredEvent[]>;
  /** Events in global order from `fromIndex`, at most `limit`. */
  readEvents(fromIndex: number, limit: number): Promise<StoredEvent[]>;
  getSession(sessionId: string): Promise<SessionSummary | null>;
  listSessions(filter: SessionFilter): Promise<SessionSummary[]>;
  /** Sessions that have no `session.end` event (open, or cut short by a crash). */
  openSessions(): Promise<SessionSummary[]>;
  /** Drops payloads of events older than `before`; hashes stay. Returns how many were purged. */
  purgePayloads(before: string): Promise<number>;
  appendCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  listCheckpoints(): Promise<SignedCheckpoint[]>;
  close(): Promise<void>;
}

/** Masks secrets and personal data in an event payload before it is hashed or stored. */
export interface PayloadMasker {
  maskPayload(payload: JsonObject, connection: string): JsonObject;
  maskText(text: string, connection: string): string;
  /** A masker for text that arrives in pieces (stream deltas), holding back at most a bounded window. */
  createStreamMasker(connection: string): StreamTextMasker;
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
  /** Revokes a service token or a Vigil token id. Returns false when the id is unknown or already revoked. */
  revokeToken(id: string, at: string): Promise<boolean>;
  revokedTokenIds(): Promise<Set<string>>;
  disableIdentity(subject: string, at: string, reason: string): Promise<void>;
  enableIdentity(subject: string): Promise<boolean>;
  disabledIdentities(): Promise<DisabledIdentity[]>;
}
