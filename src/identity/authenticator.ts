// Authentication turns a presented credential into an Identity. Every protocol presents its
// credential differently (API key header, database password, SSH password) but all land here.
import type { Identity } from '../core/events.js';

export interface Authenticator {
  /** Resolves the identity behind a credential; throws VigilError auth_missing / auth_invalid / auth_expired / auth_revoked. */
  authenticate(credential: string | null): Promise<AuthenticatedIdentity>;
}

export interface AuthenticatedIdentity {
  readonly identity: Identity;
  /** Admin API roles. */
  readonly roles: readonly string[];
  /** Connections this credential is limited to (service-account tokens); null for no limit beyond the connection's rules. */
  readonly scope: readonly string[] | null;
  /** When the credential stops being valid (ms since the epoch); null for no expiry. */
  readonly expiresAt: number | null;
}
