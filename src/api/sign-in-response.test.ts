// The page that shows a new Vigil token may not be framed: another site could load a sign-in in a
// hidden frame (a provider's silent single sign-on answers with redirects and shows nothing of its
// own), and the token page would render inside it, under a decoy that drags or copies its text.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { SignInResult } from '../identity/oidc-sign-in.js';
import { sendSignIn } from './sign-in-response.js';

const RESULT = {
  token: 'vgt_example',
  tokenId: 'tk_1',
  expiresAt: Date.parse('2026-12-05T16:00:00Z'),
  subject: 'dana@example.com',
  groups: ['security'],
  roles: ['user'],
} as unknown as SignInResult;

test('the token page forbids framing and sniffing', async () => {
  const server = createServer((req, res) => sendSignIn(req, res, RESULT));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } });
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /vgt_example/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  } finally {
    server.close();
  }
});
