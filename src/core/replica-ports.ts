// Ports for what gateway replicas sharing one store coordinate through it: leases and session
// ownership, change notices, and the small records protocol modules keep. Part of the StoreBundle
// (ports.ts); kept apart so that file stays the ledger's and working state's contract.
import type { JsonObject, SessionSummary } from './events.js';

/** A gateway process holding a lease on the store, with what identifies its process on its host. */
export interface ReplicaInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The host's boot id: a pid is only meaningful within one boot (and one kernel). */
  readonly bootId: string;
  readonly startedAt: string;
}

/** An open session moved to a new owner because its replica no longer holds a lease. */
export interface AdoptedSession {
  readonly session: SessionSummary;
  /** Its previous owner, or null for a session written before owners were recorded. */
  readonly from: string | null;
}

/**
 * Leases of the gateway replicas sharing a store (docs/scale-out.md). A replica holds a lease while
 * it lives and owns the sessions it serves; once a lease lapses, one other replica takes its open
 * sessions over and closes them. Lease times are the store's clock, so replicas' clocks need not
 * agree. Every method is atomic: two replicas never both end a lease, adopt a session or lead.
 */
export interface ReplicaLeases {
  /** Takes a lease for a new replica, valid for `ttlMs`. */
  register(replica: ReplicaInfo, ttlMs: number): Promise<void>;
  /** Extends the lease by `ttlMs` from now; false when it was already ended (the replica lost it). */
  renew(id: string, ttlMs: number): Promise<boolean>;
  /** Ends a lease on a clean shutdown; a leadership it held is given up with it. */
  release(id: string): Promise<void>;
  /** Replicas holding a lease, lapsed ones included until someone ends them. */
  list(): Promise<ReplicaInfo[]>;
  /** Ends the named leases (`ids`) or else every lapsed one; resolves to the ids this call ended. */
  expire(ids?: readonly string[]): Promise<string[]>;
  /**
   * Moves to `claimer` every open session whose owner holds no lease, and every ownerless open
   * session quiet since before `quietSince` (ISO time); resolves to them. Each goes to one caller.
   */
  adoptOrphans(claimer: string, quietSince: string): Promise<AdoptedSession[]>;
  /** Takes or keeps the checkpoint signer's lease for `ttlMs`; true while `id` holds it. */
  lead(id: string, ttlMs: number): Promise<boolean>;
}

/**
 * Small records a protocol module keeps that every replica must agree on (MCP tool pins), as JSON
 * by namespace and key. Not part of the ledger: the module records every change there too.
 */
export interface ModuleStateStore {
  get(namespace: string, key: string): Promise<JsonObject | null>;
  /** In key order. */
  list(namespace: string): Promise<{ key: string; value: JsonObject }[]>;
  /** Writes the record whole (last writer wins). */
  put(namespace: string, key: string, value: JsonObject): Promise<void>;
  /** Writes the record unless one exists; resolves to the record kept (the first writer's). */
  putIfAbsent(namespace: string, key: string, value: JsonObject): Promise<JsonObject>;
}

/** What another process (a replica, the CLI) may have changed in the shared working state. */
export type ChangeTopic = 'access' | 'grants' | 'approvals';

/**
 * Prompt word of changes committed to the store, by anyone. Best effort: a store may have none, and
 * a notice can be lost while a connection is down, so readers keep polling as the safety net; on
 * (re)connecting the feed announces every topic once, for what it may have missed.
 */
export interface ChangeFeed {
  /** Calls `listener` after each change is committed; returns the unsubscribe. */
  subscribe(listener: (topic: ChangeTopic) => void): () => void;
}
