// The cookie that ties a SAML sign-in to the browser that began it. GET /auth/saml/login leaves a
// random secret in the browser, and the AuthnRequest's ID names its hash (pending-requests.ts);
// the ACS signs in only the browser that sends the secret of the request its Response answers.
// Without it, anyone could post a valid Response of their own from a victim's browser (an
// auto-submitting form on any site: login CSRF, the victim then works, and types secrets, as the
// attacker), or have a captured Response posted in another browser.
//
// SameSite=None, not Lax: with the HTTP-POST binding the Response reaches the ACS as a cross-site
// top-level POST from the provider's page, on which browsers do not send a Lax cookie. That is
// safe because the cookie is no credential: it only says which browser began a sign-in, and it
// completes nothing without a Response signed for that very request. None requires Secure, so on
// https it is `__Host-vigil_saml_browser` (Secure, Path=/, no Domain: a sibling subdomain cannot
// plant its own), and the unprefixed name is never read there. On plain http (development only)
// browsers refuse SameSite=None without Secure, so it carries no SameSite attribute and the
// browser's default applies (Chrome sends such a cookie on a cross-site POST within two minutes of
// setting it; a same-site provider, such as one on localhost, always gets it back).
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { readCookie } from './console-cookie.js';

export const SAML_BROWSER_COOKIE = 'vigil_saml_browser';
/** As long as a SAML AuthnRequest waits for its answer (saml-sign-in.ts, 10 minutes). */
const SAML_BROWSER_SECONDS = 600;

export function samlBrowserCookieName(secure: boolean): string {
  return secure ? `__Host-${SAML_BROWSER_COOKIE}` : SAML_BROWSER_COOKIE;
}

/** A new secret for a sign-in this browser begins, and the Set-Cookie line that keeps it there. */
export function newSamlBrowser(secure: boolean): { secret: string; cookie: string } {
  const secret = randomBytes(32).toString('base64url');
  const attributes = secure
    ? ['Path=/', 'HttpOnly', 'SameSite=None', 'Secure']
    : ['Path=/auth/saml/', 'HttpOnly'];
  return {
    secret,
    cookie: [
      `${samlBrowserCookieName(secure)}=${secret}`,
      ...attributes,
      `Max-Age=${SAML_BROWSER_SECONDS}`,
    ].join('; '),
  };
}

/** The secret the posting browser holds; on https only the `__Host-` cookie counts. */
export function samlBrowserSecret(headers: IncomingHttpHeaders, secure: boolean): string | null {
  return readCookie(headers, samlBrowserCookieName(secure));
}
