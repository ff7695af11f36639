// How `vigil login --saml` gets its token: the browser, not the CLI, posts the Response to the
// gateway, so the gateway hands the sign-in back through the CLI's loopback listener (RFC 8252) as
// a one-time code, which only the holder of the PKCE-style verifier can exchange for the token.
// The token itself never appears in a URL. Both maps are bounded in count and time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { SamlSignInResult } from './saml-sign-in.js';

interface Waiting {
  readonly redirectUri: string;
  readonly challenge: string;
  readonly expiresAt: number;
}

interface Issued {
  readonly result: SamlSignInResult;
  readonly challenge: string;
  readonly expiresAt: number;
}

const MAX_ENTRIES = 10_000;

export class CliHandoff {
  readonly #waiting = new Map<string, Waiting>();
  readonly #issued = new Map<string, Issued>();
  readonly #ttlMs: number;
  readonly #codeTtlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; codeTtlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#codeTtlMs = options.codeTtlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** A CLI sign-in starts: returns the RelayState that will bring the browser's Response back to it. */
  start(redirectUri: string, challenge: string): string {
    assertLoopback(redirectUri);
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
      throw new VigilError('usage', 'code_challenge must be a base64url SHA-256 (43 characters)');
    const relayState = randomBytes(24).toString('base64url');
    put(
      this.#waiting,
      relayState,
      { redirectUri, challenge, expiresAt: this.#now() + this.#ttlMs },
      this.#now(),
    );
    return relayState;
  }

  /** The CLI sign-in a RelayState belongs to (taken once), or null for a browser or IdP-initiated one. */
  take(relayState: string | null): Waiting | null {
    if (!relayState) return null;
    const entry = this.#waiting.get(relayState);
    if (!entry) return null;
    this.#waiting.delete(relayState);
    return entry.expiresAt > this.#now() ? entry : null;
  }

  /** Keeps a finished sign-in for the CLI; the URL sends the browser to its loopback listener. */
  handBack(waiting: Waiting, result: SamlSignInResult): string {
    const code = randomBytes(24).toString('base64url');
    put(
      this.#issued,
      code,
      { result, challenge: waiting.challenge, expiresAt: this.#now() + this.#codeTtlMs },
      this.#now(),
    );
    const url = new URL(waiting.redirectUri);
    url.searchParams.set('code', code);
    return url.toString();
  }

  /** The sign-in for a code and its verifier; a code works once. */
  redeem(code: string, verifier: string): SamlSignInResult {
    const entry = this.#issued.get(code);
    this.#issued.delete(code);
    const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    const expected = Buffer.from(entry?.challenge ?? '');
    if (
      !entry ||
      entry.expiresAt <= this.#now() ||
      computed.length !== expected.length ||
      !timingSafeEqual(computed, expected)
    )
      throw new VigilError(
        'auth_invalid',
        'this sign-in code is unknown, already used, expired or not yours',
      );
    return entry.result;
  }
}

function put<T extends { expiresAt: number }>(map: Map<string, T>, key: string, value: T, now: number): void {
  for (const [k, v] of map) {
    if (v.expiresAt > now) break;
    map.delete(k);
  }
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/** Only a listener on this machine may receive a sign-in: http://127.0.0.1, [::1] or localhost. */
function assertLoopback(redirectUri: string): void {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new VigilError('usage', 'redirect_uri is not a URL');
  }
  if (
    url.protocol !== 'http:' ||
    !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname) ||
    url.username ||
    url.password
  )
    throw new VigilError('usage', 'redirect_uri must be a loopback http URL (http://127.0.0.1:PORT/...)');
}
