// Sign-in with the configured OpenID provider, ending in a Vigil token: the browser flow
// (begin → provider → complete) and the exchange of an id_token the CLI obtained itself. The
// provider is discovered on first use and again after a failure, so a gateway starts even while
// its provider is briefly unreachable. A browser sign-in under way lives in its `state`, sealed
// (sign-in-states.ts), so the provider's redirect back may reach any replica; it completes once,
// and only in the browser that began it (the state names a secret that browser holds in a cookie),
// so someone else's callback URL signs nobody in (login CSRF).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import { idTokenUse } from './id-token-once.js';
import { type ClaimMapping, identityFromClaims, type SignedInIdentity } from './oidc-claims.js';
import {
  type AuthorizationChecks,
  OidcClient,
  type OidcSettings,
  type VerifiedIdToken,
} from './oidc-client.js';
import type { SignInStates } from './sign-in-states.js';
import type { VigilTokens } from './vigil-tokens.js';

export interface OidcSignInOptions {
  readonly settings: OidcSettings;
  readonly mapping: ClaimMapping;
  readonly vigilTokens: VigilTokens;
  readonly tokenTtlMs: number;
  /** Seals the state a browser carries to the provider and back; marks it used once. */
  readonly states: SignInStates;
  /** How long a browser has to come back from the provider. */
  readonly pendingTtlMs?: number;
  readonly now?: () => number;
}

export interface SignInResult extends SignedInIdentity {
  readonly token: string;
  readonly tokenId: string;
  /** ms since the epoch */
  readonly expiresAt: number;
  /**
   * When the provider issued the credential signed in with (an id_token's iat, a SAML assertion's
   * IssueInstant; ms): one from before a SCIM deactivation signs nobody in (sign-in-ledger.ts).
   */
  readonly credentialIssuedAt?: number;
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
  #client: Promise<OidcClient> | null = null;

  constructor(options: OidcSignInOptions) {
    assertIssuerAllowed(options.settings);
    this.#options = options;
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

  /**
   * The provider URL to send a browser to; its `state` carries the checks, sealed, and the hash of
   * `browser`, a secret the caller keeps in that browser (a cookie) and presents to `complete`.
   */
  async begin(redirectUri: string, browser: string): Promise<URL> {
    const ttlMs = this.#options.pendingTtlMs ?? 5 * 60_000;
    const { url } = await (await this.#provider()).startAuthorization(redirectUri, (pending) =>
      // A random part of its own: the state's uniqueness (hence its one-time mark) never rests on
      // how the verifier and nonce were drawn.
      this.#options.states.seal(
        'oidc-state',
        { ...pending, random: randomBytes(16).toString('base64url'), browser: browserHash(browser) },
        ttlMs,
      ),
    );
    return url;
  }

  /**
   * Completes a browser sign-in from the provider's redirect back to us (on any replica), presented
   * by the browser that began it: `browser` is the secret given to `begin`, read from that browser.
   * `forConsole`: the token goes into the web console's cookie alone (VigilTokenClaims.console).
   */
  async complete(callbackUrl: URL, browser: string | null, forConsole = false): Promise<SignInResult> {
    const states = this.#options.states;
    const state = callbackUrl.searchParams.get('state');
    const opened = state === null ? null : states.open('oidc-state', state);
    const checks =
      state === null || opened === null || !sameBrowser(opened.value, browser)
        ? null
        : checksFrom(opened.value, state);
    const error = callbackUrl.searchParams.get('error');
    if (error !== null) {
      const description = callbackUrl.searchParams.get('error_description');
      throw new VigilError(
        'auth_invalid',
        `the OpenID provider refused the sign-in: ${error}${description ? ` (${description})` : ''}`,
      );
    }
    if (checks === null || opened === null || (await states.used('oidc-state', checks.state)))
      throw unknownSignIn();
    const verified = await (await this.#provider()).finishAuthorization(callbackUrl, checks);
    // Marked only now, once the provider vouched for it, so anonymous callbacks write nothing; the
    // mark is atomic, so of two callbacks racing on two replicas one signs in.
    if (!(await states.markUsed('oidc-state', checks.state, opened))) throw unknownSignIn();
    return this.#issue(verified, forConsole);
  }

  /** Exchanges an id_token the provider issued to our client_id for a Vigil token. */
  async exchange(idToken: string): Promise<SignInResult> {
    return this.#issue(await (await this.#provider()).verifyIdToken(idToken));
  }

  async #issue(verified: VerifiedIdToken, forConsole = false): Promise<SignInResult> {
    const identity = identityFromClaims(verified.claims, this.#options.mapping);
    // Once per id_token, whichever flow brought it and whichever replica it reaches (id-token-once.ts).
    const use = idTokenUse(verified);
    if (!(await this.#options.states.spend(use.key, use.untilMs)))
      throw new VigilError(
        'auth_id_token_used',
        'this id_token was already exchanged for a Vigil token: sign in again for a new one',
      );
    const now = (this.#options.now ?? Date.now)();
    // The id_token's own issue time: one kept from before a SCIM deactivation and exchanged after
    // the re-activation must not sign anyone in (sign-in-ledger.ts), nor its token work
    // (gateway-authenticator.ts). Without an iat (required by OpenID Connect) it counts as old.
    const credentialIssuedAt = typeof verified.claims.iat === 'number' ? verified.claims.iat * 1000 : 0;
    const { token, claims } = await this.#options.vigilTokens.issue(
      {
        subject: identity.subject,
        groups: identity.groups,
        roles: identity.roles,
        roleGroups: identity.roleGroups,
        ttlMs: this.#options.tokenTtlMs,
        console: forConsole,
        credentialIssuedAt,
      },
      now,
    );
    return { ...identity, token, tokenId: claims.tokenId, expiresAt: claims.expiresAt, credentialIssuedAt };
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

function unknownSignIn(): VigilError {
  return new VigilError(
    'auth_invalid',
    'this sign-in is unknown, already used or expired, or was begun in another browser: start again at /auth/login',
  );
}

function browserHash(browser: string): string {
  return createHash('sha256').update('vigil sign-in browser\u0000').update(browser).digest('base64url');
}

/** Whether the callback comes from the browser the sealed state was begun in. */
function sameBrowser(value: unknown, browser: string | null): boolean {
  const sealed =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>).browser : null;
  if (typeof sealed !== 'string' || browser === null || browser === '') return false;
  const expected = Buffer.from(sealed);
  const presented = Buffer.from(browserHash(browser));
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/** The checks sealed into a state by `begin` (authentic, so only its shape is confirmed). */
function checksFrom(value: unknown, state: string): AuthorizationChecks | null {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof v.codeVerifier !== 'string' || typeof v.nonce !== 'string' || typeof v.redirectUri !== 'string')
    return null;
  return { codeVerifier: v.codeVerifier, nonce: v.nonce, redirectUri: v.redirectUri, state };
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
