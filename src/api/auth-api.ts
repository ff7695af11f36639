// Sign-in routes under /auth/: they are how a caller without a Vigil token gets one, so they run
// before authentication. Every sign-in is recorded in the ledger (access.granted) before its token
// is handed out; every failed one is recorded as access.denied.
//   GET  /auth/config     what the CLI needs to sign in by itself
//   GET  /auth/login      → the provider (authorization code + PKCE); ?console=1 from the web console
//   GET  /auth/callback   ← the provider; answers the Vigil token (JSON, or a page for browsers),
//                           or, for the web console, sets its session cookie and opens it
//   POST /auth/exchange   {id_token} from the CLI flows → the Vigil token
//   /auth/saml/...        SAML 2.0 sign-in (saml-routes.ts), when identity.saml is configured
// Without `identity.oidc` or `identity.saml` in the configuration there is no sign-in, and these
// routes say so.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentitySectionConfig } from '../core/config.js';
import { toVigilError, VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { sendJson, sendJsonError } from '../http/json-response.js';
import { readRequestBody } from '../http/read-body.js';
import { OidcSignIn, type SignInResult } from '../identity/oidc-sign-in.js';
import type { SignInStates } from '../identity/sign-in-states.js';
import type { VigilTokens } from '../identity/vigil-tokens.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { readCookie, signInBrowserCookie, signInBrowserCookieName } from './console-cookie.js';
import { isSecureUrl } from './console-session.js';
import { consoleSignInMarker, sendConsoleSignIn, startedByConsole } from './console-sign-in.js';
import { createSamlRoutes, type SamlServerContext } from './saml-routes.js';
import { recordRefusal, recordSignIn } from './sign-in-ledger.js';
import { sendSignIn } from './sign-in-response.js';

export interface AuthApiDeps {
  readonly identity: IdentitySectionConfig;
  /** This gateway's base URL as browsers reach it (for the redirect URI); known once it listens. */
  readonly publicUrl: () => string;
  readonly vigilTokens: VigilTokens;
  /** Sealed, one-time sign-in state (a flow may start on one replica and finish on another). */
  readonly signInStates: SignInStates;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  /** identity.oidc.client_secret, resolved (the reference is resolved by the server, not here). */
  readonly clientSecret?: string | null;
  /** Offboarded identities get no new token (their old ones are refused on use regardless). */
  readonly isDisabled?: (subject: string) => boolean;
  /** SignInLedgerDeps.credentialPredatesDeactivation. */
  readonly credentialPredatesDeactivation?: (subject: string, issuedAtMs: number) => boolean;
  /** What SAML sign-in needs from the server when identity.saml is configured. */
  readonly saml?: SamlServerContext | null;
}

export interface AuthApi {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): Promise<void>;
}

const MAX_EXCHANGE_BODY = 64 * 1024;
/** As long as the console's marker: enough to sign in at the provider, not to linger. */
const SIGN_IN_BROWSER_SECONDS = 600;
const SIGN_IN_FLOWS = ['authorization_code', 'device', 'loopback', 'id_token'] as const;
type SignInFlow = (typeof SIGN_IN_FLOWS)[number];

export async function createAuthApi(deps: AuthApiDeps): Promise<AuthApi> {
  const oidc = deps.identity.oidc;
  const saml = deps.identity.saml && deps.saml ? createSamlRoutes({ ...deps, saml: deps.saml }) : null;
  if (!oidc) {
    return {
      async handle(req, res, url) {
        if (saml && (url.pathname.startsWith('/auth/saml/') || url.pathname === '/auth/config'))
          return saml.handle(req, res, url);
        req.resume();
        sendJsonError(
          res,
          new VigilError(
            'route_unknown',
            'sign-in is not configured on this gateway (identity.oidc or identity.saml)',
          ),
        );
      },
      async close() {},
    };
  }
  if (oidc.client_secret && !deps.clientSecret) {
    throw new VigilError('config_invalid', 'identity.oidc.client_secret is set but was not resolved');
  }
  const signIn = new OidcSignIn({
    settings: {
      issuer: oidc.issuer,
      clientId: oidc.client_id,
      clientSecret: deps.clientSecret ?? null,
      scopes: oidc.scopes,
      allowInsecureHttp: oidc.allow_insecure_http,
    },
    mapping: {
      subjectClaim: oidc.subject_claim,
      requireVerifiedEmail: oidc.require_verified_email,
      groupsClaim: oidc.groups_claim,
      roles: deps.identity.roles,
    },
    vigilTokens: deps.vigilTokens,
    tokenTtlMs: deps.identity.token_ttl,
    states: deps.signInStates,
  });
  signIn.warmUp();
  const redirectUri = () => `${deps.publicUrl().replace(/\/+$/, '')}/auth/callback`;

  const granted = (result: SignInResult, flow: SignInFlow) =>
    recordSignIn(deps, result, { via: 'oidc', flow });
  const denied = (error: VigilError, facts: JsonObject) =>
    recordRefusal(deps, error, { via: 'oidc', ...facts });

  return {
    async handle(req, res, url) {
      const method = req.method ?? 'GET';
      const route = `${method} ${url.pathname}`;
      let flow: SignInFlow | null = null;
      if (saml && url.pathname.startsWith('/auth/saml/')) return saml.handle(req, res, url);
      try {
        switch (route) {
          case 'GET /auth/config':
            req.resume();
            return sendJson(res, 200, await signIn.publicConfig());
          case 'GET /auth/login': {
            req.resume();
            // Only this browser can complete the sign-in: its state names this secret (login CSRF).
            const browser = randomBytes(32).toString('base64url');
            const location = await signIn.begin(redirectUri(), browser);
            const secure = isSecureUrl(deps.publicUrl());
            res.writeHead(302, {
              location: location.toString(),
              'cache-control': 'no-store',
              'set-cookie': [
                signInBrowserCookie(browser, secure, SIGN_IN_BROWSER_SECONDS),
                // The web console's sign-in: its callback sets the console cookie (console-sign-in.ts).
                ...(url.searchParams.get('console') === '1' ? [consoleSignInMarker(deps.publicUrl())] : []),
              ],
            });
            res.end();
            return;
          }
          case 'GET /auth/callback': {
            req.resume();
            flow = 'authorization_code';
            // A console's token lives in its cookie alone, so signing out can revoke it.
            const forConsole = startedByConsole(req);
            const result = await signIn.complete(
              new URL(`${redirectUri()}${url.search}`),
              // On https only the __Host- cookie, which no sibling subdomain can have planted.
              readCookie(req.headers, signInBrowserCookieName(isSecureUrl(deps.publicUrl()))),
              forConsole,
            );
            await granted(result, flow);
            if (forConsole) return sendConsoleSignIn(res, result, deps.publicUrl());
            return sendSignIn(req, res, result);
          }
          case 'POST /auth/exchange': {
            flow = 'id_token';
            const body = await readExchangeBody(req);
            flow = body.flow;
            const result = await signIn.exchange(body.idToken);
            await granted(result, flow);
            return sendSignIn(req, res, result);
          }
          default:
            req.resume();
            throw new VigilError('route_unknown', `no sign-in route for ${route}`);
        }
      } catch (err) {
        const error = toVigilError(err);
        sendJsonError(res, error);
        if (flow !== null && error.code !== 'record_failed')
          await denied(error, { flow, method, path: url.pathname });
      }
    },
    async close() {},
  };
}

async function readExchangeBody(req: IncomingMessage): Promise<{ idToken: string; flow: SignInFlow }> {
  const raw = await readRequestBody(req, MAX_EXCHANGE_BODY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new VigilError('body_invalid_json', 'the request body is not valid JSON');
  }
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof body.id_token !== 'string' || body.id_token === '')
    throw new VigilError('usage', 'POST /auth/exchange needs {"id_token": "..."}');
  const flow = SIGN_IN_FLOWS.find((f) => f === body.flow) ?? 'id_token';
  return { idToken: body.id_token, flow };
}
