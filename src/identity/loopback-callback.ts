// The CLI's side of a browser sign-in (RFC 8252): a listener on 127.0.0.1 that the browser is sent
// back to at /callback. OIDC and SAML sign-ins both wait on it; each reads what it needs from the URL.
//
// Anything on this machine can reach the port: another local process, or any web page open in a
// browser here (an <img> or a navigation to http://127.0.0.1:PORT/callback?... needs no
// permission, and ephemeral ports are few enough to scan). The first callback used to end the
// wait, so such a request sent before the real one made every `vigil login` fail. Now a callback
// counts only when it carries the sign-in's own secret `state` (`callbackState`, which only the
// URL the user opens knows) and names this listener by its address (a page whose name was
// rebound to 127.0.0.1 sends its own name as Host); the first such callback is the only one taken.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { VigilError } from '../core/errors.js';

export interface LoopbackCallback {
  /** Where the browser is to be sent back: http://127.0.0.1:PORT/callback. */
  readonly redirectUri: string;
  /** The first callback URL that `accept` takes; rejects with auth_missing on timeout or cancel. */
  readonly arrived: Promise<URL>;
  close(): void;
}

/** A fresh secret for the `state` a sign-in's callback must bring back (256 bits, base64url). */
export function callbackState(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether the callback URL carries `expected` as its `state` (compared in constant time). */
export function carriesState(url: URL, expected: string | null): boolean {
  const given = url.searchParams.getAll('state');
  if (expected === null || expected === '' || given.length !== 1) return false;
  const a = Buffer.from(given[0]!);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function listenForCallback(
  accept: (url: URL) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LoopbackCallback> {
  let onCallback: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve) => {
    onCallback = resolve;
  });
  let taken = false;
  let host = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // One callback only; anything else (a probe, a forged or second callback) learns nothing.
    if (
      taken ||
      req.method !== 'GET' ||
      req.headers.host !== host ||
      url.pathname !== '/callback' ||
      !accept(url)
    ) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    taken = true;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('Vigil sign-in received. You can close this window and return to the terminal.\n');
    onCallback(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new VigilError('auth_missing', 'no sign-in arrived from the browser in time')),
      timeoutMs,
    );
    signal?.addEventListener('abort', () =>
      reject(new VigilError('auth_missing', 'the sign-in was cancelled')),
    );
  });
  const arrived = Promise.race([callback, gaveUp]);
  // A cancel after the caller stopped waiting (or before it began) must not become an unhandled rejection.
  arrived.catch(() => undefined);
  return {
    redirectUri: `http://${host}/callback`,
    arrived,
    close() {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
