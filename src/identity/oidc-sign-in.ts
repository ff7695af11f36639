// Sign-in with the configured OpenID provider, ending in a Vigil token: the browser flow
// (begin → provider → complete) and the exchange of an id_token the CLI obtained itself. The
// provider is discovered on first use and again after a failure, so a gateway starts even while
// its provider is briefly unreachable.
import { VigilError } from '../core/errors.js';
import { type ClaimMapping, identityFromClaims, type SignedInIdentity } from './oidc-claims.js';
import { OidcClient, type OidcSettings, type VerifiedIdToken } from './oidc-client.js';
import { PendingSignIns } from './oidc-pending.js';
import type { VigilTokens } from './vigil-tokens.js';

export interface OidcSignInOptions {
  readonly settings: OidcSettings;
  readonly mapping: ClaimMapping;
  readonly vigilTokens: VigilTokens;
  readonly tokenTtlMs: number;
  /** How long a browser has to come back from the provider. */
  readonly pendingTtlMs?: number;
  readonly maxPending?: number;
  readonly now?: () => number;
}

export interface SignInResult extends SignedInIdentity {
  readonly token: string;
  readonly tokenId: string;
  /** ms since the epoch */
  readonly expiresAt: number;
}

/** What the CLI needs to sign in by itself (GET /auth/config). */
export interface PublicSignInConfig {
  readonly issuer: string;
  readonly client_id: string;
  readonly scopes: string;
  readonly device_authorization: boolean;
  readonly allow_insecure_http: boolean;
}

export class OidcSignIn {
  readonly #options: OidcSignInOptions;
  readonly #pending: PendingSignIns;
  #client: Promise<OidcClient> | null = null;

  constructor(options: OidcSignInOptions) {
    assertIssuerAllowed(options.settings);
    this.#options = options;
    this.#pending = new PendingSignIns({
      ttlMs: options.pendingTtlMs ?? 5 * 60_000,
      maxEntries: options.maxPending ?? 10_000,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Discovers the provider now (errors are kept for the first caller, not thrown here). */
  warmUp(): void {
    this.#provider().catch(() => {});
  }

  async publicConfig(): Promise<PublicSignInConfig> {
    const provider = await this.#provider();
    return {
      issuer: provider.issuer,
      client_id: provider.clientId,
      scopes: this.#options.settings.scopes,
      device_authorization: provider.supportsDeviceAuthorization,
      allow_insecure_http: this.#options.settings.allowInsecureHttp,
    };
  }

  /** The provider URL to send a browser to; the checks wait here for its return. */
  async begin(redirectUri: string): Promise<URL> {
    const { url, checks } = await (await this.#provider()).startAuthorization(redirectUri);
    this.#pending.add(checks);
    return url;
  }

  /** Completes a browser sign-in from the provider's redirect back to us. */
  async complete(callbackUrl: URL): Promise<SignInResult> {
    const state = callbackUrl.searchParams.get('state');
    const checks = state === null ? null : this.#pending.take(state);
    const error = callbackUrl.searchParams.get('error');
    if (error !== null) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new VigilError(
        'auth_invalid',
        `the OpenID provider refused the sign-in: ${error}${description ? ` (${description})` : ''}`,
      );
    }
    if (checks === null) {
      throw new VigilError(
        'auth_invalid',
        'this sign-in is unknown, already used or expired: start again at /auth/login',
      );
    }
    const verified = await (await this.#provider()).finishAuthorization(callbackUrl, checks);
    return this.#issue(verified);
  }

  /** Exchanges an id_token the provider issued to our client_id for a Vigil token. */
  async exchange(idToken: string): Promise<SignInResult> {
    return this.#issue(await (await this.#provider()).verifyIdToken(idToken));
  }

  async #issue(verified: VerifiedIdToken): Promise<SignInResult> {
    const identity = identityFromClaims(verified.claims, this.#options.mapping);
    const now = (this.#options.now ?? Date.now)();
    const { token, claims } = await this.#options.vigilTokens.issue(
      {
        subject: identity.subject,
        groups: identity.groups,
        roles: identity.roles,
        ttlMs: this.#options.tokenTtlMs,
      },
      now,
    );
    return { ...identity, token, tokenId: claims.tokenId, expiresAt: claims.expiresAt };
  }

  #provider(): Promise<OidcClient> {
    if (this.#client === null) {
      const discovering = OidcClient.discover(this.#options.settings);
      this.#client = discovering;
      discovering.catch(() => {
        if (this.#client === discovering) this.#client = null;
      });
    }
    return this.#client;
  }
}

function assertIssuerAllowed(settings: OidcSettings): void {
  let url: URL;
  try {
    url = new URL(settings.issuer);
  } catch {
    throw new VigilError('config_invalid', `identity.oidc.issuer is not a URL: ${settings.issuer}`);
  }
  if (url.protocol === 'http:' && !settings.allowInsecureHttp) {
    throw new VigilError(
      'config_invalid',
      `identity.oidc.issuer ${settings.issuer} is not https (set allow_insecure_http only for development)`,
    );
  }
}
