// The access ports: who may still act (service-account tokens, disabled identities, revoked
// tokens) and what SCIM provisioned. Re-exported by ports.ts, the one place the core's ports are
// imported from.
import type { JsonObject } from './events.js';

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
