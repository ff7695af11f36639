// The web console's session cookie (docs/console.md). A browser page should not hold the Vigil
// token where its scripts can read it: the cookie is HttpOnly, SameSite=Strict (another site's page
// cannot make the browser send it), and holds the same Vigil token the API takes as a Bearer. When
// the gateway's public URL is https it is `__Host-vigil_console`: Secure, Path=/, no Domain, which a
// browser accepts only from this very host, so a sibling subdomain cannot plant one (cookie
// tossing); the unprefixed name, which any subdomain can set for the parent domain, is then never
// read. On plain http (local use) no browser would keep a `__Host-` cookie, so it stays
// `vigil_console`. A POST or DELETE the cookie authenticates must also carry `x-vigil-console: 1`:
// a cross-site form cannot set a header, and a cross-site fetch that sets one needs a CORS
// preflight, which the gateway never grants.
import type { IncomingHttpHeaders } from 'node:http';
import { VigilError } from '../core/errors.js';
import { extractClientToken } from '../http/credentials.js';

export const CONSOLE_COOKIE = 'vigil_console';
/** The name on https: the `__Host-` prefix binds it to this host (Secure, Path=/, no Domain). */
export const SECURE_CONSOLE_COOKIE = `__Host-${CONSOLE_COOKIE}`;

/** The session cookie's name for a gateway whose public URL is https (`secure`) or not. */
export function consoleCookieName(secure: boolean): string {
  return secure ? SECURE_CONSOLE_COOKIE : CONSOLE_COOKIE;
}

/** Marks a sign-in the console started, so its callback sets the cookie instead of showing the token. */
export const CONSOLE_SIGN_IN_COOKIE = 'vigil_console_sign_in';
/**
 * A random secret that ties a browser sign-in's `state` to the browser that began it: a callback
 * URL opened in any other browser (sent there by someone who began the sign-in) signs nobody in.
 * On https it is `__Host-vigil_sign_in_browser` like the session cookie, for the same reason: a
 * sibling subdomain could otherwise plant the unprefixed one, holding the secret of a sign-in the
 * attacker began, and then send the browser to the attacker's callback (login CSRF again).
 */
export const SIGN_IN_BROWSER_COOKIE = 'vigil_sign_in_browser';

/** The sign-in browser cookie's name for a gateway whose public URL is https (`secure`) or not. */
export function signInBrowserCookieName(secure: boolean): string {
  return secure ? `__Host-${SIGN_IN_BROWSER_COOKIE}` : SIGN_IN_BROWSER_COOKIE;
}
export const CONSOLE_HEADER = 'x-vigil-console';

/** A token is base64url-ish text: anything else in the cookie is not one of ours. */
const COOKIE_VALUE = /^[A-Za-z0-9._~+/=-]+$/;

export function readCookie(headers: IncomingHttpHeaders, name: string): string | null {
  const header = headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return COOKIE_VALUE.test(value) ? value : null;
  }
  return null;
}

export interface RequestCredential {
  readonly token: string | null;
  /** The token came from the console cookie (not a header the caller set on purpose). */
  readonly viaCookie: boolean;
}

/**
 * The header token when there is one (CLI, scripts), else the console's cookie: on an https gateway
 * (`secure`) only `__Host-vigil_console`, whatever else the browser sends.
 */
export function requestCredential(headers: IncomingHttpHeaders, secure: boolean): RequestCredential {
  const token = extractClientToken(headers);
  if (token !== null) return { token, viaCookie: false };
  const cookie = readCookie(headers, consoleCookieName(secure));
  return { token: cookie, viaCookie: cookie !== null };
}

/** Throws csrf_refused for a state-changing request the cookie alone authenticates. */
export function assertConsoleOrigin(method: string, headers: IncomingHttpHeaders, viaCookie: boolean): void {
  if (!viaCookie || method === 'GET' || method === 'HEAD') return;
  if (headers[CONSOLE_HEADER] !== '1') {
    throw new VigilError(
      'csrf_refused',
      `a ${method} signed in by the console cookie must carry the header ${CONSOLE_HEADER}: 1`,
    );
  }
}

export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; 0 clears the cookie. */
  readonly maxAge: number;
}

/** Path=/ and no Domain, as the `__Host-` prefix requires; Secure (and the prefix) on https. */
export function sessionCookie(token: string, options: CookieOptions): string {
  return cookieLine(consoleCookieName(options.secure), token, 'Strict', '/', options);
}

export function clearedSessionCookie(secure: boolean): string {
  return cookieLine(consoleCookieName(secure), '', 'Strict', '/', { secure, maxAge: 0 });
}

/**
 * Lax, not Strict: the provider's redirect back to /auth/callback is a cross-site navigation, on
 * which a Strict cookie is not sent. It carries no credential, only "the console asked for this".
 */
export function signInMarkerCookie(secure: boolean, maxAge: number): string {
  return cookieLine(CONSOLE_SIGN_IN_COOKIE, '1', 'Lax', '/auth/', { secure, maxAge });
}

/**
 * Lax for the same reason as the marker: the provider's redirect back is a cross-site navigation.
 * Path=/ on https, as the `__Host-` prefix requires.
 */
export function signInBrowserCookie(secret: string, secure: boolean, maxAge: number): string {
  return cookieLine(signInBrowserCookieName(secure), secret, 'Lax', secure ? '/' : '/auth/', {
    secure,
    maxAge,
  });
}

function cookieLine(
  name: string,
  value: string,
  sameSite: 'Strict' | 'Lax',
  path: string,
  { secure, maxAge }: CookieOptions,
): string {
  const parts = [`${name}=${value}`, `Path=${path}`, 'HttpOnly', `SameSite=${sameSite}`, `Max-Age=${maxAge}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}
