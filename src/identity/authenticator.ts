// Authentication turns a presented credential into an Identity. Every protocol presents its
// credential differently (API key header, database password, SSH password) but all land here.
import type { Identity } from '../core/events.js';

/**
 * A public key whose private half the protocol has already seen used (a verified signature): the
 * key's standard wire encoding (the base64 part of an authorized_keys line, decoded).
 */
export interface PublicKeyCredential {
  readonly kind: 'public-key';
  readonly key: Uint8Array;
}

/**
 * A bearer token presented to a protected resource (an MCP connection): any token Vigil accepts
 * as a string, or an access token the OpenID provider issued for exactly `resource`.
 */
export interface ResourceTokenCredential {
  readonly kind: 'resource-token';
  readonly token: string;
  /** The resource's URL, which an access token's audience must name. */
  readonly resource: string;
}

/** What a caller presented: a token, a proven public key, a token for a resource, or nothing. */
export type Credential = string | PublicKeyCredential | ResourceTokenCredential | null;

export interface Authenticator {
  /** Resolves the identity behind a credential; throws VigilError auth_missing / auth_invalid / auth_expired / auth_revoked. */
  authenticate(credential: Credential): Promise<AuthenticatedIdentity>;
  /** Whether a public key is registered to an identity (asked before the caller proves it holds the key). */
  knowsPublicKey(key: Uint8Array): boolean;
}

export interface AuthenticatedIdentity {
  readonly identity: Identity;
  /** Admin API roles. */
  readonly roles: readonly string[];
  /** Connections this credential is limited to (service-account tokens); null for no limit beyond the connection's rules. */
  readonly scope: readonly string[] | null;
  /** When the credential stops being valid (ms since the epoch); null for no expiry. */
  readonly expiresAt: number | null;
  /**
   * When the provider issued the credential (ms since the epoch), for a provider's access token:
   * SCIM voids every token a person held before their deactivation, the provider's too.
   */
  readonly issuedAt?: number;
}
