// The gateway's authenticator: one entry point for every kind of credential.
//   vsa_…        a service-account token (opaque, looked up by hash)
//   eyJ….….…    a Vigil token (JWT) issued at sign-in
//   anything else: a static token from vigil.yaml (bootstrap, demo)
//   a public key (already proven by the protocol): a key registered to an identity in vigil.yaml
//   a token for a resource (MCP): an access token the OpenID provider issued for that resource
//     (identity.oidc.accept_access_tokens), else any of the above
// Then, whatever the kind: a disabled identity or a revoked token id is refused; a person gets the
// groups SCIM says for the groups it manages (identity/scim-directory.ts), provisioned or not.
import { VigilError } from '../core/errors.js';
import type { AccessStore, ServiceTokenRecord } from '../core/ports.js';
import type { AccessState } from './access-state.js';
import type { AuthenticatedIdentity, Authenticator, Credential } from './authenticator.js';
import { type ConfigTokenAuthenticator, hashToken } from './config-tokens.js';
import type { OidcAccessTokens } from './oidc-access-tokens.js';
import { type RoleGroups, rolesStillHeld } from './oidc-claims.js';
import { SERVICE_TOKEN_PREFIX } from './service-accounts.js';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';
import type { VigilTokens } from './vigil-tokens.js';

const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** An identity found for a credential, with the groups its roles were granted through (Vigil tokens). */
type Identified = AuthenticatedIdentity & { readonly roleGroups?: RoleGroups };

export interface GatewayAuthenticatorDeps {
  readonly staticTokens: ConfigTokenAuthenticator;
  readonly vigilTokens: VigilTokens;
  readonly accessStore: AccessStore;
  readonly access: AccessState;
  /** Present when identity.oidc.accept_access_tokens is on. */
  readonly accessTokens?: OidcAccessTokens;
  readonly now?: () => number;
  /** How service-account records are remembered (`{ max: 0 }`: looked up on every request). */
  readonly serviceTokenCache?: VerifiedTokenCacheOptions;
}

export class GatewayAuthenticator implements Authenticator {
  readonly #deps: GatewayAuthenticatorDeps;
  /**
   * Service-account records found by token, remembered like verified Vigil tokens: a record changes
   * only when it is revoked, and a revocation also lists its id among the revoked tokens, which
   * `authenticate` checks on every request (access-state.ts). Saves a store query per request (a
   * round trip on PostgreSQL).
   */
  readonly #serviceTokens: VerifiedTokenCache<ServiceTokenRecord>;

  constructor(deps: GatewayAuthenticatorDeps) {
    this.#deps = deps;
    this.#serviceTokens = new VerifiedTokenCache(deps.serviceTokenCache);
  }

  knowsPublicKey(key: Uint8Array): boolean {
    return this.#deps.staticTokens.knowsPublicKey(key);
  }

  async authenticate(credential: Credential): Promise<AuthenticatedIdentity> {
    if (
      credential === null ||
      credential === '' ||
      (typeof credential === 'object' && credential.kind === 'resource-token' && credential.token === '')
    )
      throw new VigilError('auth_missing', 'no Vigil token was presented');
    const { roleGroups, ...found } = await this.#identify(credential);
    const { access } = this.#deps;
    if (access.isDisabled(found.identity.subject, found.identity.kind)) {
      throw new VigilError('auth_revoked', `identity ${found.identity.subject} has been disabled`);
    }
    if (access.isRevoked(found.identity.tokenId))
      throw new VigilError('auth_revoked', 'this token has been revoked');
    if (found.identity.kind !== 'user') return found;
    if (
      found.issuedAt !== undefined &&
      access.scim.tokenPredatesDeactivation(found.identity.subject, found.issuedAt)
    )
      throw new VigilError('auth_revoked', 'this token was issued before the identity was deactivated');
    // Applied to everyone signed in, provisioned or not: a group SCIM manages comes only from SCIM.
    const groups = access.scim.groupsFor(found.identity.subject, found.identity.groups);
    // A role given through a group SCIM no longer lists the person in goes with the group.
    const roles = roleGroups ? rolesStillHeld(found.roles, roleGroups, groups) : found.roles;
    return { ...found, identity: { ...found.identity, groups }, roles };
  }

  async #identify(credential: Exclude<Credential, null>): Promise<Identified> {
    if (typeof credential === 'object' && credential.kind === 'resource-token') {
      const { accessTokens } = this.#deps;
      if (accessTokens && JWT_SHAPE.test(credential.token) && accessTokens.issuedByProvider(credential.token))
        return accessTokens.authenticate(credential.token, credential.resource);
      return this.#identify(credential.token);
    }
    if (typeof credential === 'object') return this.#deps.staticTokens.authenticate(credential);
    if (credential.startsWith(SERVICE_TOKEN_PREFIX)) return this.#serviceAccount(credential);
    if (JWT_SHAPE.test(credential)) {
      const claims = await this.#deps.vigilTokens.verify(credential);
      // Judged by the older of the token and the credential it was traded for (an id_token).
      const issuedAt = Math.min(claims.issuedAt, claims.credentialIssuedAt ?? claims.issuedAt);
      if (this.#deps.access.scim.tokenPredatesDeactivation(claims.subject, issuedAt))
        throw new VigilError('auth_revoked', 'this token was issued before the identity was deactivated');
      return {
        identity: {
          subject: claims.subject,
          kind: 'user',
          groups: [...claims.groups],
          tokenId: claims.tokenId,
        },
        roles: claims.roles,
        roleGroups: claims.roleGroups,
        scope: null,
        expiresAt: claims.expiresAt,
      };
    }
    return this.#deps.staticTokens.authenticate(credential);
  }

  async #serviceAccount(token: string): Promise<AuthenticatedIdentity> {
    const now = (this.#deps.now ?? Date.now)();
    const record = await this.#serviceTokens.verified(
      token,
      now,
      async () => {
        const found = await this.#deps.accessStore.findServiceToken(hashToken(token));
        if (!found) throw new VigilError('auth_invalid', 'the presented token is not a valid Vigil token');
        if (found.revokedAt !== null)
          throw new VigilError('auth_revoked', `service token ${found.id} has been revoked`);
        if (Date.parse(found.expiresAt) <= now) {
          throw new VigilError('auth_expired', `service token ${found.id} expired at ${found.expiresAt}`);
        }
        return found;
      },
      (found) => Date.parse(found.expiresAt),
    );
    const expiresAt = Date.parse(record.expiresAt);
    return {
      identity: { subject: record.name, kind: 'service', groups: [], tokenId: record.id },
      roles: ['user'],
      scope: record.connections,
      expiresAt,
    };
  }
}
