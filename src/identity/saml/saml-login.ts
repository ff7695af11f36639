// `vigil login --saml`: the CLI listens on a loopback port, sends the user's browser to the
// gateway's /auth/saml/login (which redirects to the identity provider), and waits. The provider
// posts its Response to the gateway, which signs the user in and sends the browser back to the
// loopback listener with a one-time code; the CLI redeems the code with its verifier at
// /auth/saml/token for the Vigil token. The token never travels in a URL.
import { createHash, randomBytes } from 'node:crypto';
import { ERROR_CODES, type ErrorCode, VigilError } from '../../core/errors.js';
import { callbackState, carriesState, listenForCallback } from '../loopback-callback.js';
import type { SignInPrompt } from '../oidc-login.js';

export interface SamlLoginOptions {
  readonly gatewayUrl: string;
  readonly onPrompt: (prompt: SignInPrompt) => void | Promise<void>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface SamlLoginResult {
  readonly gateway: string;
  readonly flow: 'saml';
  readonly token: string;
  readonly tokenId: string | null;
  readonly expiresAt: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

/** True when the gateway signs in with SAML only (its /auth/config names no OpenID provider). */
export async function gatewayOffersOnlySaml(gatewayUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${gatewayUrl.replace(/\/+$/, '')}/auth/config`, {
      headers: { accept: 'application/json' },
    });
    const body = (await res.json()) as { issuer?: unknown; saml?: unknown };
    return res.ok && body.saml !== undefined && body.issuer === undefined;
  } catch {
    return false;
  }
}

export async function loginWithSaml(options: SamlLoginOptions): Promise<SamlLoginResult> {
  const gateway = options.gatewayUrl.replace(/\/+$/, '');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  // The gateway sends the browser back to redirect_uri as given, with the code added: the `state`
  // in it lets the listener ignore a callback that another process or a web page sends first
  // (loopback-callback.ts). Such a code could not be redeemed without our verifier anyway, but
  // taking it ended the wait and failed the sign-in.
  const state = callbackState();
  const listener = await listenForCallback(
    (url) => carriesState(url, state) && url.searchParams.get('code') !== null,
    options.timeoutMs ?? 5 * 60_000,
    options.signal,
  );
  try {
    const start = new URL(`${gateway}/auth/saml/login`);
    start.searchParams.set('redirect_uri', `${listener.redirectUri}?state=${state}`);
    start.searchParams.set('code_challenge', challenge);
    await options.onPrompt({ kind: 'browser', url: start.toString() });
    const code = (await listener.arrived).searchParams.get('code')!;
    const body = await redeem(`${gateway}/auth/saml/token`, code, verifier);
    return {
      gateway,
      flow: 'saml',
      token: body.token,
      tokenId: body.token_id ?? null,
      expiresAt: body.expires_at,
      subject: body.subject,
      groups: body.groups,
      roles: body.roles,
    };
  } finally {
    listener.close();
  }
}

interface TokenBody {
  token: string;
  token_id?: string;
  expires_at: string;
  subject: string;
  groups: string[];
  roles: string[];
}

async function redeem(url: string, code: string, verifier: string): Promise<TokenBody> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code, code_verifier: verifier }),
    });
  } catch (err) {
    throw new VigilError('gateway_unreachable', `cannot reach the gateway at ${url}`, { cause: err });
  }
  const parsed = (await res.json().catch(() => null)) as
    | (TokenBody & { error?: { code?: string; message?: string } })
    | null;
  if (res.ok && parsed?.token) return parsed;
  const error = parsed?.error;
  const errorCode: ErrorCode =
    error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : 'upstream_failed';
  throw new VigilError(errorCode, error?.message ?? `the gateway answered ${res.status} at ${url}`);
}
