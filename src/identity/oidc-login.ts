// Signing in from a terminal (`vigil login`): the gateway says which provider and client to use
// (GET /auth/config); the user signs in there with the device authorization grant when the provider
// offers it, else through a browser redirected back to a loopback listener (PKCE); the id_token is
// then exchanged at the gateway (POST /auth/exchange) for a Vigil token. How the user is told where
// to go is the caller's business (`onPrompt`), so tests can play the user.
import { ERROR_CODES, type ErrorCode, VigilError } from '../core/errors.js';
import { callbackState, carriesState, listenForCallback } from './loopback-callback.js';
import { OidcClient } from './oidc-client.js';
import type { PublicSignInConfig } from './oidc-sign-in.js';

export type SignInPrompt =
  | {
      readonly kind: 'device';
      readonly verificationUri: string;
      readonly verificationUriComplete: string | null;
      readonly userCode: string;
    }
  | { readonly kind: 'browser'; readonly url: string };

export interface GatewayLoginOptions {
  readonly gatewayUrl: string;
  /** Use the device grant when the provider offers it (default true); else the loopback redirect. */
  readonly preferDevice?: boolean;
  readonly onPrompt: (prompt: SignInPrompt) => void | Promise<void>;
  /** Gives up waiting for the user; the loopback flow also stops after `loopbackTimeoutMs`. */
  readonly signal?: AbortSignal;
  readonly loopbackTimeoutMs?: number;
}

export interface GatewayLoginResult {
  readonly gateway: string;
  readonly flow: 'device' | 'loopback';
  readonly token: string;
  readonly tokenId: string | null;
  readonly expiresAt: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

export async function loginToGateway(options: GatewayLoginOptions): Promise<GatewayLoginResult> {
  const gateway = options.gatewayUrl.replace(/\/+$/, '');
  const config = (await gatewayJson(`${gateway}/auth/config`)) as PublicSignInConfig;
  const provider = await OidcClient.discover({
    issuer: config.issuer,
    clientId: config.client_id,
    scopes: config.scopes,
    allowInsecureHttp: config.allow_insecure_http === true,
  });
  const useDevice =
    (options.preferDevice ?? true) && config.device_authorization && provider.supportsDeviceAuthorization;
  const idToken = useDevice ? await deviceFlow(provider, options) : await loopbackFlow(provider, options);
  const flow = useDevice ? 'device' : 'loopback';
  const body = (await gatewayJson(`${gateway}/auth/exchange`, { id_token: idToken, flow })) as {
    token: string;
    token_id?: string;
    expires_at: string;
    subject: string;
    groups: string[];
    roles: string[];
  };
  return {
    gateway,
    flow,
    token: body.token,
    tokenId: body.token_id ?? null,
    expiresAt: body.expires_at,
    subject: body.subject,
    groups: body.groups,
    roles: body.roles,
  };
}

async function deviceFlow(provider: OidcClient, options: GatewayLoginOptions): Promise<string> {
  const device = await provider.startDeviceAuthorization();
  await options.onPrompt({
    kind: 'device',
    verificationUri: device.verificationUri,
    verificationUriComplete: device.verificationUriComplete,
    userCode: device.userCode,
  });
  return provider.pollDeviceAuthorization(device, options.signal);
}

/**
 * RFC 8252: the provider sends the browser back to http://127.0.0.1:PORT/callback, where we listen.
 * Only the callback bringing this authorization's `state` ends the wait (loopback-callback.ts): a
 * request from another process or a web page, sent there first, is ignored instead of failing the
 * sign-in.
 */
async function loopbackFlow(provider: OidcClient, options: GatewayLoginOptions): Promise<string> {
  const state = callbackState();
  const listener = await listenForCallback(
    (url) => carriesState(url, state),
    options.loopbackTimeoutMs ?? 5 * 60_000,
    options.signal,
  );
  try {
    const { url, checks } = await provider.startAuthorization(listener.redirectUri, () => state);
    await options.onPrompt({ kind: 'browser', url: url.toString() });
    const returned = await listener.arrived;
    return (await provider.finishAuthorization(new URL(`${listener.redirectUri}${returned.search}`), checks))
      .idToken;
  } finally {
    listener.close();
  }
}

/** GET (or POST a JSON body to) the gateway; its JSON errors come back as VigilErrors with their code. */
async function gatewayJson(url: string, body?: Record<string, string>): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: body ? 'POST' : 'GET',
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new VigilError('gateway_unreachable', `cannot reach the gateway at ${url}`, { cause: err });
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: reported below with the status.
  }
  if (res.ok && parsed !== null) return parsed;
  const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
  const code: ErrorCode =
    error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : 'upstream_failed';
  throw new VigilError(code, error?.message ?? `the gateway answered ${res.status} at ${url}`);
}
