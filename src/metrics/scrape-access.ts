// Who may read /metrics: the holder of the configured scrape token (a Prometheus server, which
// has no identity in Vigil) or an identity with the admin role, as the admin API would judge it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';

export interface ScrapeAccessOptions {
  /** The resolved scrape token, or null when none is configured (then only admins may scrape). */
  readonly scrapeToken: string | null;
  /** The gateway's authenticator: Vigil tokens, configured tokens, provider access tokens. */
  readonly authenticate: (token: string | null) => Promise<AuthenticatedIdentity>;
}

/** Shorter tokens are refused at start: guessable, and too short for the masker to know as a secret. */
export const MIN_SCRAPE_TOKEN_LENGTH = 16;

/** The resolved scrape token, checked: throws config_invalid when it is too short to be one. */
export function checkedScrapeToken(token: string): string {
  if (token.length < MIN_SCRAPE_TOKEN_LENGTH) {
    throw new VigilError(
      'config_invalid',
      `metrics.scrape_token must be at least ${MIN_SCRAPE_TOKEN_LENGTH} characters (it has ${token.length})`,
    );
  }
  return token;
}

/**
 * Resolves when `token` may scrape; rejects with the authenticator's auth_* error (401) or
 * forbidden_role (403) otherwise.
 */
export async function checkScrapeAccess(token: string | null, options: ScrapeAccessOptions): Promise<void> {
  if (token !== null && options.scrapeToken !== null && sameSecret(token, options.scrapeToken)) return;
  const caller = await options.authenticate(token);
  if (!caller.roles.includes('admin')) {
    throw new VigilError('forbidden_role', 'GET /metrics needs the role admin or the scrape token');
  }
}

/**
 * Compared as SHA-256 digests so the time taken depends on neither where the first difference is
 * nor the length of the token presented.
 */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
