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
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

export class OidcAccessTokens {
  readonly #settings: OidcSettings;
  readonly #mapping: ClaimMapping;
  #client: Promise<OidcClient> | null = null;
  /** Keyed by resource and token: a token is remembered only for the audience it was checked against. */
  readonly #verified: VerifiedTokenCache<AuthenticatedIdentity>;

  constructor(settings: OidcSettings, mapping: ClaimMapping, cache?: VerifiedTokenCacheOptions) {
    this.#settings = settings;
    this.#mapping = mapping;
    this.#verified = new VerifiedTokenCache(cache);
  }

  /** Whether a token claims to come from the provider (unverified: it only chooses the check). */
  issuedByProvider(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.#settings.issuer;
    } catch {
      return false;
    }
  }

  /** A token verified before for this resource is not checked again until it expires (at most five minutes later). */
  authenticate(token: string, resource: string): Promise<AuthenticatedIdentity> {
    return this.#verified.verified(
      `${resource}\u0000${token}`,
      Date.now(),
      () => this.#verify(token, resource),
      (found) => found.expiresAt ?? 0,
    );
  }

  async #verify(token: string, resource: string): Promise<AuthenticatedIdentity> {
    const claims = await (await this.#provider()).verifyAccessToken(token, resource);
    const identity = identityFromClaims(claims, this.#mapping);
    return Object.freeze({
      identity: Object.freeze({
        subject: identity.subject,
        kind: 'user' as const,
        groups: Object.freeze([...identity.groups]),
        // The provider's token id, so `vigil token revoke oidc:<jti>` can end it; a token without
        // one is cut only by disabling its identity.
        tokenId: typeof claims.jti === 'string' ? `oidc:${claims.jti}` : undefined,
      }),
      roles: Object.freeze([...identity.roles]),
      scope: null,
      expiresAt: (claims.exp as number) * 1000,
      // RFC 9068 requires iat; a token without it cannot show it postdates a deactivation, so it
      // counts as issued at the epoch (void for anyone SCIM ever deactivated).
      issuedAt: typeof claims.iat === 'number' ? claims.iat * 1000 : 0,
    });
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
