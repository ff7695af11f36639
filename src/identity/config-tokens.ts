// Identities declared in vigil.yaml with the SHA-256 of their token. The token itself never sits
// in the file or in memory; a presented token is hashed first, so the lookup's timing can reveal
// at most something about a digest, never about a valid token.
import { createHash } from 'node:crypto';
import type { IdentityConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { AuthenticatedIdentity, Authenticator } from './authenticator.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ConfigTokenAuthenticator implements Authenticator {
  readonly #byHash: Map<string, AuthenticatedIdentity>;

  constructor(identities: readonly IdentityConfig[]) {
    this.#byHash = new Map(
      identities.map((i) => [
        i.token_sha256,
        {
          identity: {
            subject: i.name,
            kind: i.kind,
            groups: [...i.groups],
            // The first 12 hex digits of the hash identify the token without revealing it.
            tokenId: `cfg_${i.token_sha256.slice(0, 12)}`,
          },
          roles: [...i.roles],
          scope: null,
          expiresAt: null,
        },
      ]),
    );
  }

  async authenticate(credential: string | null): Promise<AuthenticatedIdentity> {
    if (credential === null || credential === '') {
      throw new VigilError('auth_missing', 'no Vigil token was presented');
    }
    const digest = hashToken(credential);
    const found = this.#byHash.get(digest);
    if (!found) {
      throw new VigilError('auth_invalid', 'the presented token is not a valid Vigil token');
    }
    return found;
  }
}
