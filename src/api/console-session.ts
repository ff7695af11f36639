// The console's own sign-in routes (docs/console.md):
//   GET  /auth/console          what the sign-in page offers (OIDC or not)
//   POST /auth/console/session  {token}: a pasted Vigil token, checked, becomes the session cookie
//   POST /auth/console/signout  clears the cookie, and revokes the token the console's sign-in put in it
// Both POSTs need `x-vigil-console: 1`, so another site cannot sign a browser in or out. A pasted
// token was recorded when it was issued, and every call made with it is recorded by the admin API;
// a refused one (unknown, expired, revoked, or its identity disabled) is recorded as access.denied,
// so probing tokens here leaves a trace as it does at every other door.
// OIDC sign-in for the console goes through /auth/login?console=1 and /auth/callback (auth-api.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import { readJsonObject } from '../http/json-body.js';
import { sendJson, sendJsonError } from '../http/json-response.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import {
  CONSOLE_HEADER,
  clearedSessionCookie,
  consoleCookieName,
  readCookie,
  sessionCookie,
} from './console-cookie.js';
import { recordRefusal } from './sign-in-ledger.js';

export interface ConsoleSessionDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly oidc: boolean;
  /** The gateway's public URL: https makes the cookie Secure. */
  readonly publicUrl: () => string;
  /** Revokes the cookie's token if the console's sign-in issued it (console-sign-out.ts); true if so. */
  readonly revokeConsoleToken: (token: string) => Promise<boolean>;
}

/** A cookie outlives no token, and no browser keeps one longer than a working day. */
export const MAX_COOKIE_SECONDS = 12 * 3600;

export function cookieSeconds(expiresAt: number | null, now: number): number {
  if (expiresAt === null) return MAX_COOKIE_SECONDS;
  return Math.max(0, Math.min(MAX_COOKIE_SECONDS, Math.floor((expiresAt - now) / 1000)));
}

export function isSecureUrl(url: string): boolean {
  return url.startsWith('https:');
}

export function consoleSessionRoutes(deps: ConsoleSessionDeps) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const route = `${req.method} ${url.pathname}`;
    const secure = isSecureUrl(deps.publicUrl());
    try {
      if (route === 'GET /auth/console') {
        req.resume();
        return sendJson(res, 200, { oidc: deps.oidc }, { 'cache-control': 'no-store' });
      }
      if (route !== 'POST /auth/console/session' && route !== 'POST /auth/console/signout') {
        req.resume();
        throw new VigilError('route_unknown', `no console sign-in route for ${route}`);
      }
      if (req.headers[CONSOLE_HEADER] !== '1') {
        req.resume();
        throw new VigilError('csrf_refused', `${route} must carry the header ${CONSOLE_HEADER}: 1`);
      }
      if (route === 'POST /auth/console/signout') {
        req.resume();
        const token = readCookie(req.headers, consoleCookieName(secure));
        // The cookie is cleared whatever happens; the answer says whether the token also died.
        const revoked = token === null ? false : await deps.revokeConsoleToken(token).catch(() => null);
        return sendJson(
          res,
          200,
          { signed_out: true, token_revoked: revoked },
          {
            'set-cookie': clearedSessionCookie(secure),
            'cache-control': 'no-store',
            // Admin API answers an older gateway let the browser cache (they now say no-store).
            'clear-site-data': '"cache"',
          },
        );
      }
      const body = await readJsonObject(req, 16 * 1024);
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      if (token === '') throw new VigilError('auth_missing', 'paste a Vigil token to sign in');
      const caller = await deps.pipeline.authenticate(token).catch(async (err: unknown) => {
        const refusal = toVigilError(err);
        await recordRefusal(deps, refusal, { via: 'console', flow: 'pasted_token' });
        throw refusal;
      });
      return sendJson(
        res,
        200,
        { subject: caller.identity.subject, roles: caller.roles },
        {
          'cache-control': 'no-store',
          'set-cookie': sessionCookie(token, { secure, maxAge: cookieSeconds(caller.expiresAt, Date.now()) }),
        },
      );
    } catch (err) {
      sendJsonError(res, toVigilError(err));
    }
  };
}
