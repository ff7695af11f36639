// Attacker: holds a signing key the OpenID provider has just withdrawn from its published keys
// (it leaked; the provider rotated it out). Until 7 December the gateway kept using the keys it had
// read for ten minutes (jose's default), so id_tokens forged with the withdrawn key still signed
// anyone in, as anyone, for up to ten minutes after the withdrawal. The keys are now read again
// after at most thirty seconds. Real parts: the gateway over HTTP (openid-client discovery, jose
// over HTTP for the keys), and a provider of discovery document and JWKS served over HTTP whose
// keys the test rotates (oidc-provider cannot change its keys while it runs).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

type Key = { privateKey: CryptoKey; jwk: JWK };
let server: Server;
let issuer: string;
let published: Key[] = [];
let gateway: TestGateway;
let leaked: Key;
let current: Key;

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

before(async () => {
  leaked = await newKey('k1');
  current = await newKey('k2');
  published = [leaked];
  server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? {
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          }
        : req.url === '/jwks'
          ? { keys: published.map((k) => k.jwk) }
          : null;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway = await startTestGateway({
    identity: { oidc: { issuer, client_id: 'vigil', allow_insecure_http: true } },
  });
});

after(async () => {
  await gateway?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function idToken(key: Key, email: string): Promise<string> {
  return new SignJWT({ email, email_verified: true, groups: [] })
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid! })
    .setIssuer(issuer)
    .setAudience('vigil')
    .setSubject(email)
    .setJti(`${email}-${Math.random()}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key.privateKey);
}

async function exchange(token: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${gateway.url}/auth/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id_token: token }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, ...(body.error ? { code: body.error.code } : {}) };
}

test('an id_token signed with a key the provider withdrew stops signing in within 30 seconds', async () => {
  assert.deepEqual(await exchange(await idToken(leaked, 'amy@example.com')), { status: 200 }, 'the control');
  // The provider rotates the leaked key out; its new key signs from now on.
  published = [current];
  await new Promise((r) => setTimeout(r, 31_000));
  assert.deepEqual(
    await exchange(await idToken(leaked, 'cto@example.com')),
    { status: 401, code: 'auth_invalid' },
    'the withdrawn key signs nobody in',
  );
  assert.deepEqual(
    await exchange(await idToken(current, 'amy@example.com')),
    { status: 200 },
    'the new key does',
  );
});
