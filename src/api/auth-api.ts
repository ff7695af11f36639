// Sign-in routes under /auth/: they are how a caller without a Vigil token gets one, so they run
// before authentication. Every sign-in is recorded in the ledger (access.granted) before its token
// is handed out; every failed one is recorded as access.denied.
//   GET  /auth/config     what the CLI needs to sign in by itself
//   GET  /auth/login      → the provider (authorization code + PKCE)
//   GET  /auth/callback   ← the provider; answers the Vigil token (JSON, or a page for browsers)
//   POST /auth/exchange   {id_token} from the CLI flows → the Vigil token
// Without `identity.oidc` in the configuration there is no sign-in, and these routes say so.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentitySectionConfig } from '../core/config.js';
import { toVigilError, VigilError } from '../core/errors.js';
import { ANONYMOUS, type JsonObject } from '../core/events.js';
import { sendJson, sendJsonError } from '../http/json-response.js';
import { readRequestBody } from '../http/read-body.js';
import { OidcSignIn, type SignInResult } from '../identity/oidc-sign-in.js';
import type { VigilTokens } from '../identity/vigil-tokens.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';

export interface AuthApiDeps {
  readonly identity: IdentitySectionConfig;
  /** This gateway's base URL as browsers reach it (for the redirect URI); known once it listens. */
  readonly publicUrl: () => string;
  readonly vigilTokens: VigilTokens;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  /** identity.oidc.client_secret, resolved (the reference is resolved by the server, not here). */
  readonly clientSecret?: string | null;
  /** Offboarded identities get no new token (their old ones are refused on use regardless). */
  readonly isDisabled?: (subject: string) => boolean;
}

export interface AuthApi {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): Promise<void>;
}

const MAX_EXCHANGE_BODY = 64 * 1024;
const SIGN_IN_FLOWS = ['authorization_code', 'device', 'loopback', 'id_token'] as const;
type SignInFlow = (typeof SIGN_IN_FLOWS)[number];

export async function createAuthApi(deps: AuthApiDeps): Promise<AuthApi> {
  const oidc = deps.identity.oidc;
  if (!oidc) {
    return {
      async handle(req, res) {
        req.resume();
        sendJsonError(
          res,
          new VigilError('route_unknown', 'sign-in is not configured on this gateway (identity.oidc)'),
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
    mapping: { subjectClaim: oidc.subject_claim, groupsClaim: oidc.groups_claim, roles: deps.identity.roles },
    vigilTokens: deps.vigilTokens,
    tokenTtlMs: deps.identity.token_ttl,
  });
  signIn.warmUp();
  const redirectUri = () => `${deps.publicUrl().replace(/\/+$/, '')}/auth/callback`;

  async function granted(result: SignInResult, flow: SignInFlow): Promise<void> {
    if (deps.isDisabled?.(result.subject))
      throw new VigilError('auth_revoked', `identity ${result.subject} has been disabled`);
    const identity = {
      subject: result.subject,
      kind: 'user' as const,
      groups: result.groups,
      tokenId: result.tokenId,
    };
    const session = await deps.sessions.open({
      connection: 'auth',
      protocol: 'auth',
      identity,
      key: `auth\u0000${result.subject}`,
    });
    await deps.pipeline.observe(session, 'access.granted', {
      via: 'oidc',
      flow,
      token_id: result.tokenId,
      expires_at: new Date(result.expiresAt).toISOString(),
      roles: [...result.roles],
    });
  }

  async function denied(error: VigilError, facts: JsonObject): Promise<void> {
    try {
      const session = await deps.sessions.open({
        connection: 'auth',
        protocol: 'auth',
        identity: ANONYMOUS,
        key: `auth\u0000${ANONYMOUS.subject}`,
      });
      await deps.pipeline.recordDenial(session, error, { via: 'oidc', ...facts });
    } catch {
      // The pipeline logs recording failures; the refusal stands either way.
    }
  }

  return {
    async handle(req, res, url) {
      const method = req.method ?? 'GET';
      const route = `${method} ${url.pathname}`;
      let flow: SignInFlow | null = null;
      try {
        switch (route) {
          case 'GET /auth/config':
            req.resume();
            return sendJson(res, 200, await signIn.publicConfig());
          case 'GET /auth/login': {
            req.resume();
            const location = await signIn.begin(redirectUri());
            res.writeHead(302, { location: location.toString(), 'cache-control': 'no-store' });
            res.end();
            return;
          }
          case 'GET /auth/callback': {
            req.resume();
            flow = 'authorization_code';
            const result = await signIn.complete(new URL(`${redirectUri()}${url.search}`));
            await granted(result, flow);
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

/** The Vigil token as JSON, or as a small page when a browser asked for HTML. */
function sendSignIn(req: IncomingMessage, res: ServerResponse, result: SignInResult): void {
  const body = {
    token: result.token,
    token_type: 'Bearer',
    token_id: result.tokenId,
    expires_at: new Date(result.expiresAt).toISOString(),
    subject: result.subject,
    groups: result.groups,
    roles: result.roles,
  };
  // A token must not sit in a shared cache or leak through a Referer.
  res.setHeader('cache-control', 'no-store');
  res.setHeader('referrer-policy', 'no-referrer');
  if (!prefersHtml(req.headers.accept)) {
    sendJson(res, 200, body);
    return;
  }
  const page = signInPage(body);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page),
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(page);
}

function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

function signInPage(body: { token: string; expires_at: string; subject: string; groups: readonly string[] }) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Signed in to Vigil</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}textarea{width:100%;font-family:monospace}</style></head>
<body><h1>Signed in as ${escapeHtml(body.subject)}</h1>
<p>Groups: ${escapeHtml(body.groups.join(', ') || '(none)')}. The token expires at ${escapeHtml(body.expires_at)}.</p>
<p>Use it as the API key on HTTP connections and as the password on database connections:</p>
<textarea rows="6" readonly>${escapeHtml(body.token)}</textarea>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
