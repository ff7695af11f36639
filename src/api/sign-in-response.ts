// The answer to a successful sign-in, whichever way it came (OIDC callback or exchange, SAML ACS or
// CLI code): the Vigil token as JSON, or a small page showing it when a browser asked for HTML.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http/json-response.js';
import type { SignInResult } from '../identity/oidc-sign-in.js';

/** The Vigil token as JSON, or as a small page when a browser asked for HTML. */
export function sendSignIn(req: IncomingMessage, res: ServerResponse, result: SignInResult): void {
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
    // Never inside another site's frame: a provider's silent sign-on answers with redirects only,
    // so a hidden frame would end on this page, the token under a decoy that drags or copies it.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
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
