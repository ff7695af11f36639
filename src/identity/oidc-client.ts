// Talking to the OpenID provider: discovery, the authorization-code flow with PKCE, the device
// authorization grant and id_token verification. openid-client runs the protocol; every id_token
// Vigil accepts, whichever flow produced it, is then checked once more here with jose against the
// provider's published keys (signature, issuer, audience = our client_id, expiry, nonce).
import { createRemoteJWKSet, errors, type JWTHeaderParameters, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { VigilError } from '../core/errors.js';
import { assertIdTokenFor } from './id-token-checks.js';

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** Only for a confidential client in the browser flow; the CLI flows need a public client. */
  readonly clientSecret?: string | null;
  readonly scopes: string;
  /** Allow an http:// issuer (development and tests only). */
  readonly allowInsecureHttp: boolean;
}

/** The secrets of an authorization under way, which the caller seals into its `state`. */
export interface PendingAuthorization {
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly redirectUri: string;
}

/** What must come back unchanged for an authorization to complete. */
export interface AuthorizationChecks extends PendingAuthorization {
  readonly state: string;
}

export interface DeviceAuthorization {
  readonly verificationUri: string;
  readonly verificationUriComplete: string | null;
  readonly userCode: string;
  readonly expiresIn: number;
  /** The provider's raw answer, needed to poll. */
  readonly response: client.DeviceAuthorizationResponse;
}

/** Asymmetric algorithms only: a symmetric id_token would be signed with a secret a public client lacks. */
const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/**
 * How long the provider's published keys are used without reading them again. jose's default is ten
 * minutes, so a key the provider withdrew (leaked, rotated out in a hurry) kept signing people in
 * for that long. Thirty seconds costs one small GET per half minute while tokens arrive, and is
 * jose's cooldown (a token naming an unknown kid reads the keys again at most that often). While the
 * provider cannot be reached, id_tokens and access tokens are refused after it (fail closed).
 */
const JWKS_MAX_AGE_MS = 30_000;

export class OidcClient {
  readonly #config: client.Configuration;
  readonly #settings: OidcSettings;
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;

  private constructor(config: client.Configuration, settings: OidcSettings) {
    this.#config = config;
    this.#settings = settings;
    const jwksUri = config.serverMetadata().jwks_uri;
    if (!jwksUri)
      throw new VigilError('config_invalid', `the OpenID provider ${settings.issuer} publishes no jwks_uri`);
    this.#jwks = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: JWKS_MAX_AGE_MS });
  }

  /** Reads the provider's metadata (/.well-known/openid-configuration). */
  static async discover(settings: OidcSettings): Promise<OidcClient> {
    const issuer = new URL(settings.issuer);
    if (issuer.protocol === 'http:' && !settings.allowInsecureHttp) {
      throw new VigilError(
        'config_invalid',
        `the OpenID issuer ${settings.issuer} is not https (set identity.oidc.allow_insecure_http only for development)`,
      );
    }
    const auth = settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None();
    try {
      const config = await client.discovery(
        issuer,
        settings.clientId,
        undefined,
        auth,
        settings.allowInsecureHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      return new OidcClient(config, settings);
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw new VigilError(
        'upstream_unreachable',
        `OpenID discovery at ${settings.issuer} failed: ${reason(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  get issuer(): string {
    return this.#config.serverMetadata().issuer;
  }

  get clientId(): string {
    return this.#settings.clientId;
  }

  get supportsDeviceAuthorization(): boolean {
    return typeof this.#config.serverMetadata().device_authorization_endpoint === 'string';
  }

  /**
   * The provider's authorize URL (code + PKCE S256, state, nonce) and the checks. A gateway passes
   * `stateFor` to seal the fresh verifier and nonce into the `state` the provider echoes back, so
   * nothing waits in its memory; the CLI keeps the checks itself and takes a random state.
   */
  async startAuthorization(
    redirectUri: string,
    stateFor: (pending: PendingAuthorization) => string = () => client.randomState(),
  ): Promise<{ url: URL; checks: AuthorizationChecks }> {
    const pending: PendingAuthorization = {
      codeVerifier: client.randomPKCECodeVerifier(),
      nonce: client.randomNonce(),
      redirectUri,
    };
    const checks: AuthorizationChecks = { ...pending, state: stateFor(pending) };
    const url = client.buildAuthorizationUrl(this.#config, {
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: this.#settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url, checks };
  }

  /** Exchanges the code the provider sent to the redirect URI; returns the verified id_token. */
  async finishAuthorization(callbackUrl: URL, checks: AuthorizationChecks): Promise<VerifiedIdToken> {
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(
        this.#config,
        callbackUrl,
        {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: checks.redirectUri },
      );
      idToken = tokens.id_token;
    } catch (err) {
      throw providerRefusal('the authorization code exchange failed', err);
    }
    if (!idToken) throw new VigilError('auth_invalid', 'the OpenID provider returned no id_token');
    return this.verifyIdToken(idToken, { nonce: checks.nonce });
  }

  async startDeviceAuthorization(): Promise<DeviceAuthorization> {
    try {
      const response = await client.initiateDeviceAuthorization(this.#config, {
        scope: this.#settings.scopes,
      });
      return {
        verificationUri: response.verification_uri,
        verificationUriComplete: response.verification_uri_complete ?? null,
        userCode: response.user_code,
        expiresIn: response.expires_in,
        response,
      };
    } catch (err) {
      throw providerRefusal('the device authorization request failed', err);
    }
  }

  /** Polls the token endpoint until the user approves (or denies, or the code expires). */
  async pollDeviceAuthorization(device: DeviceAuthorization, signal?: AbortSignal): Promise<string> {
    try {
      const tokens = await client.pollDeviceAuthorizationGrant(
        this.#config,
        device.response,
        undefined,
        signal ? { signal } : undefined,
      );
      if (!tokens.id_token) throw new VigilError('auth_invalid', 'the OpenID provider returned no id_token');
      return tokens.id_token;
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw providerRefusal('the device sign-in did not complete', err);
    }
  }

  /**
   * Verifies an id_token: signed with one of the provider's published keys, issued by it, for our
   * client_id, unexpired (and carrying the expected nonce, when one was sent).
   */
  async verifyIdToken(idToken: string, expected: { nonce?: string } = {}): Promise<VerifiedIdToken> {
    let payload: JWTPayload;
    let protectedHeader: JWTHeaderParameters;
    try {
      ({ payload, protectedHeader } = await jwtVerify(idToken, this.#jwks, {
        issuer: this.issuer,
        audience: this.#settings.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 5,
      }));
    } catch (err) {
      throw idTokenRefusal(err, this.#settings.clientId);
    }
    // Not an access token of the same provider that happens to name our client (id-token-checks.ts).
    assertIdTokenFor(protectedHeader, payload, this.#settings.clientId);
    if (expected.nonce !== undefined && payload.nonce !== expected.nonce)
      throw new VigilError('auth_invalid', 'the id_token nonce does not match this sign-in');
    return { idToken, claims: payload };
  }

  /**
   * Verifies an access token the provider issued for one of Vigil's resources (RFC 9068 JWT access
   * tokens, audience-bound as RFC 8707 asks): signed with one of the provider's keys, issued by it,
   * for exactly this resource, unexpired. The claims are the caller's to map to an identity.
   */
  async verifyAccessToken(token: string, resource: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.#jwks, {
        issuer: this.issuer,
        audience: resource,
        algorithms: ID_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 5,
      });
      return payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        throw new VigilError('auth_expired', 'the access token has expired', { cause: err });
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud')
        throw new VigilError('auth_invalid', `the access token was not issued for ${resource}`, {
          cause: err,
        });
      throw new VigilError('auth_invalid', 'the access token does not verify with the OpenID provider', {
        cause: err,
      });
    }
  }
}

export interface VerifiedIdToken {
  readonly idToken: string;
  readonly claims: JWTPayload;
}

function idTokenRefusal(err: unknown, clientId: string): VigilError {
  if (err instanceof errors.JWTExpired)
    return new VigilError('auth_expired', 'the id_token has expired', { cause: err });
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
    return new VigilError(
      'auth_invalid',
      `the id_token was issued for another audience, not this gateway's client ${clientId}`,
      { cause: err },
    );
  }
  const why =
    err instanceof errors.JWTClaimValidationFailed
      ? `claim ${err.claim} is not valid (${err.reason})`
      : err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey
        ? "its signature does not verify with the provider's keys"
        : err instanceof errors.JOSEAlgNotAllowed
          ? 'its algorithm is not allowed'
          : err instanceof errors.JWKSTimeout || err instanceof TypeError
            ? `the provider's keys could not be fetched (${reason(err)})`
            : 'it is malformed';
  return new VigilError('auth_invalid', `the id_token is not valid: ${why}`, { cause: err });
}

/** A refusal from the provider (bad code, denied consent) or a failure to reach it. */
function providerRefusal(what: string, err: unknown): VigilError {
  if (err instanceof VigilError) return err;
  const unreachable = err instanceof TypeError || (err as { code?: string }).code === 'OAUTH_TIMEOUT';
  return new VigilError(unreachable ? 'upstream_unreachable' : 'auth_invalid', `${what}: ${reason(err)}`, {
    cause: err,
  });
}

function reason(err: unknown): string {
  if (err instanceof client.ResponseBodyError)
    return `${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  if (err instanceof client.AuthorizationResponseError)
    return `${err.error}${err.error_description ? ` (${err.error_description})` : ''}`;
  if (err instanceof Error)
    return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
  return String(err);
}
