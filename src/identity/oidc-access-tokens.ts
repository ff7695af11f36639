// Access tokens the OpenID provider issues for a resource Vigil serves (an MCP connection's
// `…/c/<name>/mcp`), presented as `Authorization: Bearer`: how a standard MCP client signs in,
// having found the provider through the resource's protected-resource metadata. Accepted only
// where `identity.oidc.accept_access_tokens` is on, and only when the token's audience is exactly
// the resource it is presented to: a token minted for another resource, or an id_token, is refused.
import { decodeJwt } from 'jose';
import { VigilError } from '../core/errors.js';
import type { AuthenticatedIdentity } from './authenticator.js';
import { type ClaimMapping, identityFromClaims } from './oidc-claims.js';
import { OidcClient, type OidcSettings } from './oidc-client.js';

export class OidcAccessTokens {
  readonly #settings: OidcSettings;
  readonly #mapping: ClaimMapping;
  #client: Promise<OidcClient> | null = null;

  constructor(settings: OidcSettings, mapping: ClaimMapping) {
    this.#settings = settings;
    this.#mapping = mapping;
  }

  /** Whether a token claims to come from the provider (unverified: it only chooses the check). */
  issuedByProvider(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.#settings.issuer;
    } catch {
      return false;
    }
  }

  async authenticate(token: string, resource: string): Promise<AuthenticatedIdentity> {
    const claims = await (await this.#provider()).verifyAccessToken(token, resource);
    const identity = identityFromClaims(claims, this.#mapping);
    return {
      identity: {
        subject: identity.subject,
        kind: 'user',
        groups: [...identity.groups],
        // The provider's token id, so `vigil token revoke oidc:<jti>` can end it; a token without
        // one is cut only by disabling its identity.
        tokenId: typeof claims.jti === 'string' ? `oidc:${claims.jti}` : undefined,
      },
      roles: identity.roles,
      scope: null,
      expiresAt: (claims.exp as number) * 1000,
    };
  }

  #provider(): Promise<OidcClient> {
    if (this.#client === null) {
      const discovering = OidcClient.discover(this.#settings);
      this.#client = discovering;
      discovering.catch(() => {
        if (this.#client === discovering) this.#client = null;
      });
    }
    return this.#client.catch((err: unknown) => {
      throw err instanceof VigilError
        ? err
        : new VigilError('auth_invalid', 'the OpenID provider could not be reached to check the token');
    });
  }
}
