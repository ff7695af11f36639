// OIDC sign-in for the web console: /auth/login?console=1 leaves a marker cookie, and the callback
// that finds it answers with the console's session cookie and a redirect to the console instead of
// the page that shows the token. The token itself never reaches the page's scripts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignInResult } from '../identity/oidc-sign-in.js';
import { CONSOLE_SIGN_IN_COOKIE, readCookie, sessionCookie, signInMarkerCookie } from './console-cookie.js';
import { cookieSeconds, isSecureUrl } from './console-session.js';

/** Long enough to sign in at the provider, short enough not to linger. */
const MARKER_SECONDS = 600;

/** The marker cookie's Set-Cookie line. */
export function consoleSignInMarker(publicUrl: string): string {
  return signInMarkerCookie(isSecureUrl(publicUrl), MARKER_SECONDS);
}

export function startedByConsole(req: IncomingMessage): boolean {
  return readCookie(req.headers, CONSOLE_SIGN_IN_COOKIE) === '1';
}

export function sendConsoleSignIn(res: ServerResponse, result: SignInResult, publicUrl: string): void {
  const secure = isSecureUrl(publicUrl);
  res.writeHead(302, {
    location: '/',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'set-cookie': [
      sessionCookie(result.token, { secure, maxAge: cookieSeconds(result.expiresAt, Date.now()) }),
      signInMarkerCookie(secure, 0),
    ],
  });
  res.end();
}
