// Identities declared in vigil.yaml with the SHA-256 of their token. The token itself never sits
// in the file or in memory; a presented token is hashed first, so the lookup's timing can reveal
// at most something about a digest, never about a valid token. Their registered public keys
// (ssh_keys) are found the same way, by the key's wire encoding.
import { hash } from 'node:crypto';
import type { IdentityConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { AuthenticatedIdentity, Authenticator, Credential } from './authenticator.js';
import { parseAuthorizedKey, publicKeyId } from './public-keys.js';

/** The SHA-256 of a token, in hex. Hashed on every request: the one-shot form costs half a Hash object's. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export class ConfigTokenAuthenticator implements Authenticator {
  readonly #byHash: Map<string, AuthenticatedIdentity>;
  readonly #byKey = new Map<string, AuthenticatedIdentity>();

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
    for (const i of identities) {
      for (const line of i.ssh_keys) {
        const key = parseAuthorizedKey(line);
        const hex = key.toString('hex');
        const owner = this.#byKey.get(hex);
        if (owner && owner.identity.subject !== i.name) {
          throw new VigilError(
            'config_invalid',
            `the same public key is registered to ${owner.identity.subject} and ${i.name}`,
          );
        }
        this.#byKey.set(hex, {
          identity: {
            subject: i.name,
            kind: i.kind,
            groups: [...i.groups],
            tokenId: `key_${publicKeyId(key)}`,
          },
          roles: [...i.roles],
          scope: null,
          expiresAt: null,
        });
      }
    }
  }

  knowsPublicKey(key: Uint8Array): boolean {
    return this.#byKey.has(Buffer.from(key).toString('hex'));
  }

  async authenticate(credential: Credential): Promise<AuthenticatedIdentity> {
    if (credential !== null && typeof credential === 'object' && credential.kind === 'resource-token')
      return this.authenticate(credential.token);
    if (credential !== null && typeof credential === 'object') {
      const found = this.#byKey.get(Buffer.from(credential.key).toString('hex'));
      if (!found)
        throw new VigilError('auth_invalid', 'the presented public key is not registered to any identity');
      return found;
    }
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
