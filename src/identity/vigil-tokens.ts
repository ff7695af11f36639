// Vigil tokens: short-lived JWTs (EdDSA) that sign-in issues. They carry the subject, groups, roles
// and a token id; expiry, signature, issuer and audience are checked, and only EdDSA with our key is
// accepted, so `alg: none` and tokens signed by anyone else are refused.
import { errors, jwtVerify, SignJWT } from 'jose';
import { VigilError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { RoleGroups } from './oidc-claims.js';
import type { TokenSigningKey } from './token-keys.js';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

export const VIGIL_ISSUER = 'vigil';

export interface VigilTokenClaims {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** The groups each role was granted through (claim `role_groups`); empty on tokens without it. */
  readonly roleGroups: RoleGroups;
  readonly tokenId: string;
  readonly expiresAt: number;
  /** When it was issued (ms since the epoch, whole seconds). */
  readonly issuedAt: number;
  /** Issued into the web console's cookie (claim `console`): never shown, so signing out revokes it. */
  readonly console: boolean;
  /**
   * When the provider issued the credential this token was traded for (claim `cred_iat`, ms since
   * the epoch); null on tokens without it. A credential from before a SCIM deactivation stays void
   * (gateway-authenticator.ts), so a Vigil token made from one must be too, however new it is.
   */
  readonly credentialIssuedAt: number | null;
}

export interface IssueRequest {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
  /** For each role held only through groups, those groups: the role lasts as long as one of them. */
  readonly roleGroups?: RoleGroups;
  readonly ttlMs: number;
  /** For the web console's cookie alone (see VigilTokenClaims.console). */
  readonly console?: boolean;
  /** When the provider issued the credential presented at sign-in (ms; VigilTokenClaims.credentialIssuedAt). */
  readonly credentialIssuedAt?: number;
}

export interface VigilTokensOptions {
  /** The clock expiry is judged by (tests); Date.now by default. */
  readonly now?: () => number;
  /** Verified tokens remembered (verified-token-cache.ts); `{ max: 0 }` verifies every time. */
  readonly cache?: VerifiedTokenCacheOptions;
}

/**
 * The longest a console token lives, whatever `identity.token_ttl` says: its cookie lives at most a
 * working day (12 hours), and a cookie's value copied out of a browser must not outlive it.
 */
export const CONSOLE_TOKEN_MAX_MS = 12 * 3600_000;

export class VigilTokens {
  readonly #key: TokenSigningKey;
  readonly #audience: string;
  readonly #now: () => number;
  /** Per instance, so per signing key: a token is only ever remembered as verified by this key. */
  readonly #verified: VerifiedTokenCache<VigilTokenClaims>;

  constructor(key: TokenSigningKey, audience: string, options: VigilTokensOptions = {}) {
    this.#key = key;
    this.#audience = audience;
    this.#now = options.now ?? Date.now;
    this.#verified = new VerifiedTokenCache(options.cache);
  }

  async issue(request: IssueRequest, now = Date.now()): Promise<{ token: string; claims: VigilTokenClaims }> {
    const tokenId = newId('g');
    const expiresAt = now + (request.console ? Math.min(request.ttlMs, CONSOLE_TOKEN_MAX_MS) : request.ttlMs);
    const roleGroups = request.roleGroups ?? {};
    const token = await new SignJWT({
      groups: [...request.groups],
      roles: [...request.roles],
      ...(Object.keys(roleGroups).length > 0 ? { role_groups: roleGroups } : {}),
      ...(request.console ? { console: true } : {}),
      ...(request.credentialIssuedAt === undefined
        ? {}
        : { cred_iat: Math.floor(request.credentialIssuedAt / 1000) }),
    })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: this.#key.keyId })
      .setIssuer(VIGIL_ISSUER)
      .setAudience(this.#audience)
      .setSubject(request.subject)
      .setJti(tokenId)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.#key.privateKey);
    return {
      token,
      claims: {
        subject: request.subject,
        groups: request.groups,
        roles: request.roles,
        roleGroups,
        tokenId,
        expiresAt,
        issuedAt: Math.floor(now / 1000) * 1000,
        console: request.console === true,
        credentialIssuedAt:
          request.credentialIssuedAt === undefined
            ? null
            : Math.floor(request.credentialIssuedAt / 1000) * 1000,
      },
    };
  }

  /**
   * Verifies a token; throws auth_expired or auth_invalid (with the reason) otherwise. A token
   * verified before is not checked again until it expires (at most five minutes later); the claims
   * returned are frozen, as every request with that token shares them.
   */
  verify(token: string): Promise<VigilTokenClaims> {
    return this.#verified.verified(
      token,
      this.#now(),
      () => this.#verify(token),
      (claims) => claims.expiresAt,
    );
  }

  async #verify(token: string): Promise<VigilTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key.publicKey, {
        algorithms: ['EdDSA'],
        issuer: VIGIL_ISSUER,
        audience: this.#audience,
        requiredClaims: ['sub', 'jti', 'exp'],
        currentDate: new Date(this.#now()),
      });
      const groups = Array.isArray(payload.groups)
        ? payload.groups.filter((g): g is string => typeof g === 'string')
        : [];
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === 'string')
        : [];
      return Object.freeze({
        subject: payload.sub!,
        groups: Object.freeze(groups),
        roles: Object.freeze(roles),
        roleGroups: roleGroupsClaim(payload.role_groups),
        tokenId: payload.jti!,
        expiresAt: payload.exp! * 1000,
        issuedAt: (payload.iat ?? 0) * 1000,
        console: payload.console === true,
        credentialIssuedAt:
          typeof payload.cred_iat === 'number' && Number.isFinite(payload.cred_iat)
            ? payload.cred_iat * 1000
            : null,
      });
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new VigilError('auth_expired', 'the Vigil token has expired', { cause: err });
      const reason =
        err instanceof errors.JWSSignatureVerificationFailed
          ? "its signature does not verify with this gateway's key"
          : err instanceof errors.JOSEAlgNotAllowed
            ? 'its algorithm is not allowed'
            : err instanceof errors.JWTClaimValidationFailed
              ? `claim ${err.claim} is not valid (${err.reason})`
              : 'it is malformed';
      throw new VigilError('auth_invalid', `the Vigil token is not valid: ${reason}`, { cause: err });
    }
  }
}

/** The `role_groups` claim as this gateway signed it: role names to lists of group names. */
function roleGroupsClaim(value: unknown): RoleGroups {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return Object.freeze({});
  const out: Record<string, readonly string[]> = {};
  for (const [role, groups] of Object.entries(value)) {
    // A malformed entry keeps the role on no group at all: it is then never held (fail closed).
    out[role] = Object.freeze(
      Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    );
  }
  return Object.freeze(out) as RoleGroups;
}
