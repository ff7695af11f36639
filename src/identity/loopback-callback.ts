// The CLI's side of a browser sign-in (RFC 8252): a listener on 127.0.0.1 that the browser is sent
// back to at /callback. OIDC and SAML sign-ins both wait on it; each reads what it needs from the URL.
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

export async function listenForCallback(
  accept: (url: URL) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LoopbackCallback> {
  let onCallback: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve) => {
    onCallback = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback' || !accept(url)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Vigil sign-in received. You can close this window and return to the terminal.\n');
    onCallback(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
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
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    arrived,
    close() {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
