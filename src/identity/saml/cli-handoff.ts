// How `vigil login --saml` gets its token: the browser, not the CLI, posts the Response to the
// gateway, so the gateway hands the sign-in back through the CLI's loopback listener (RFC 8252) as
// a one-time code, which only the holder of the PKCE-style verifier can exchange for the token.
// Nothing waits in memory, so each step may reach any replica: the RelayState is the sealed
// loopback URL and challenge, and the code is the sealed sign-in (the token travels in it
// encrypted, never in clear) with a short life. Each is used once, marked in the shared store.
import { createHash, timingSafeEqual } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { SignInStates } from '../sign-in-states.js';
import type { SamlSignInResult } from './saml-sign-in.js';

export interface WaitingCli {
  readonly redirectUri: string;
  readonly challenge: string;
}

export class CliHandoff {
  readonly #states: SignInStates;
  readonly #ttlMs: number;
  readonly #codeTtlMs: number;

  constructor(states: SignInStates, options: { ttlMs?: number; codeTtlMs?: number } = {}) {
    this.#states = states;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
    this.#codeTtlMs = options.codeTtlMs ?? 60_000;
  }

  /** A CLI sign-in starts: returns the RelayState that will bring the browser's Response back to it. */
  start(redirectUri: string, challenge: string): string {
    assertLoopback(redirectUri);
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge))
      throw new VigilError('usage', 'code_challenge must be a base64url SHA-256 (43 characters)');
    const waiting: WaitingCli = { redirectUri, challenge };
    return this.#states.seal('saml-cli-relay', waiting, this.#ttlMs);
  }

  /**
   * The CLI sign-in a RelayState belongs to (taken once, after the sign-in succeeded), or null for
   * a browser or IdP-initiated one, or a RelayState that is not ours or no longer valid.
   */
  async take(relayState: string | null): Promise<WaitingCli | null> {
    if (!relayState) return null;
    const opened = await this.#states.take('saml-cli-relay', relayState);
    const value = (opened?.value ?? null) as Partial<WaitingCli> | null;
    if (typeof value?.redirectUri !== 'string' || typeof value.challenge !== 'string') return null;
    return { redirectUri: value.redirectUri, challenge: value.challenge };
  }

  /** Seals a finished sign-in into a code; the URL sends the browser to the CLI's loopback listener. */
  handBack(waiting: WaitingCli, result: SamlSignInResult): string {
    const code = this.#states.seal(
      'saml-cli-code',
      { result, challenge: waiting.challenge },
      this.#codeTtlMs,
    );
    const url = new URL(waiting.redirectUri);
    url.searchParams.set('code', code);
    return url.toString();
  }

  /** The sign-in for a code and its verifier; a code works once (marked only when it is redeemed). */
  async redeem(code: string, verifier: string): Promise<SamlSignInResult> {
    const opened = this.#states.open('saml-cli-code', code);
    const value = (opened?.value ?? {}) as { result?: SamlSignInResult; challenge?: unknown };
    const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    const expected = Buffer.from(typeof value.challenge === 'string' ? value.challenge : '');
    if (
      opened === null ||
      typeof value.result !== 'object' ||
      value.result === null ||
      computed.length !== expected.length ||
      !timingSafeEqual(computed, expected) ||
      !(await this.#states.markUsed('saml-cli-code', code, opened))
    )
      throw new VigilError(
        'auth_invalid',
        'this sign-in code is unknown, already used, expired or not yours',
      );
    return value.result;
  }
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
