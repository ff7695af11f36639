// Attacker round on the two kinds of token Vigil reads: the provider's id_tokens (POST
// /auth/exchange) and Vigil's own tokens (Bearer on the admin API and connections). Each forgery an
// attacker without the provider's or the gateway's private key can make is refused and hands out
// nothing: `alg: none`; HS256 keyed with the published public key (algorithm confusion); a key of
// the attacker's embedded in the header (`jwk`) or named by URL (`jku`) under the provider's kid;
// a genuine id_token with its payload changed; each kind of token presented where the other is
// expected (issuer and audience confusion). Real parts: the OpenID provider (oidc-provider) and
// its published JWKS, the gateway over HTTP.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { freshIdTokens } from './fresh-id-tokens.js';

let provider: TestProvider;
let gateway: TestGateway;
let idToken: () => Promise<string>;

before(async () => {
  provider = await startTestProvider({
    'eve-sub': { email: 'eve@example.com', groups: ['ai-eng'] },
    'cto-sub': { email: 'cto@example.com', groups: ['platform'] },
  });
  idToken = freshIdTokens(provider, 'eve-sub');
  gateway = await startTestGateway({
    identity: {
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      roles: { admin: ['group:platform'] },
    },
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The claims of a genuine id_token for the CTO, as an attacker would wish to present them. */
function ctoClaims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: provider.issuer,
    aud: 'vigil',
    sub: 'cto-sub',
    email: 'cto@example.com',
    email_verified: true,
    groups: ['platform'],
    iat: now,
    exp: now + 600,
  };
}

async function providerJwk(): Promise<JsonWebKey & { kid?: string }> {
  const config = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = (await (await fetch(config.jwks_uri)).json()) as {
    keys: Array<JsonWebKey & { kid?: string }>;
  };
  return jwks.keys[0]!;
}

async function exchange(idToken: string): Promise<{ status: number; token?: string; code?: string }> {
  const res = await fetch(`${gateway.url}/auth/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id_token: idToken }),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  return {
    status: res.status,
    ...(body.token ? { token: body.token } : {}),
    ...(body.error ? { code: body.error.code } : {}),
  };
}

async function whoami(token: string): Promise<number> {
  const res = await fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

test('forged id_tokens are refused at /auth/exchange', async () => {
  const jwk = await providerJwk();
  const pem = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const attackerJwk = await exportJWK(attacker.publicKey);
  const genuine = (await idToken()).split('.');
  const forged: Record<string, string> = {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(ctoClaims())}.`,
    'HS256 keyed with the public PEM': hs256({ alg: 'HS256', kid: jwk.kid }, ctoClaims(), pem),
    'HS256 keyed with the public JWK': hs256(
      { alg: 'HS256', kid: jwk.kid },
      ctoClaims(),
      JSON.stringify(jwk),
    ),
    "the attacker's key embedded (jwk) under the provider's kid": await new SignJWT(ctoClaims())
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'test-key', jwk: attackerJwk })
      .sign(attacker.privateKey),
    "the attacker's key by URL (jku)": await new SignJWT(ctoClaims())
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'test-key', jku: 'http://127.0.0.1:9/jwks' })
      .sign(attacker.privateKey),
    'a kid the provider never published': await new SignJWT(ctoClaims())
      .setProtectedHeader({ alg: 'RS256', kid: '../../../etc/passwd' })
      .sign(attacker.privateKey),
    "a genuine id_token with the CTO's claims in place of its own": `${genuine[0]}.${b64(ctoClaims())}.${genuine[2]}`,
  };
  for (const [what, token] of Object.entries(forged)) {
    const answer = await exchange(token);
    assert.equal(answer.token, undefined, `${what}: no token`);
    assert.deepEqual([answer.status, answer.code], [401, 'auth_invalid'], what);
  }
});

test('a Vigil token is no id_token, and an id_token is no Vigil token', async () => {
  const signedIn = await exchange(await idToken());
  assert.equal(signedIn.status, 200);
  const vigil = signedIn.token!;
  assert.equal(await whoami(vigil), 200, 'the control: the Vigil token works where it belongs');
  const asIdToken = await exchange(vigil);
  assert.deepEqual([asIdToken.status, asIdToken.code, asIdToken.token], [401, 'auth_invalid', undefined]);
  assert.equal(await whoami(await idToken()), 401, 'an id_token is not accepted as a Bearer');
});

test('forged Vigil tokens are refused on the admin API', async () => {
  const vigil = (await exchange(await idToken())).token!;
  const [header, payload] = vigil.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const escalated = { ...claims, sub: 'cto@example.com', groups: ['platform'], roles: ['admin', 'user'] };
  // The gateway's public key, as whoever holds a token can learn it: the classic HMAC-confusion secret.
  const publicPem = createPublicKey(readFileSync(join(gateway.dataDir, 'keys', 'token-signing-key.pem')))
    .export({ format: 'pem', type: 'spki' })
    .toString();
  for (const [what, token] of Object.entries({
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(escalated)}.`,
    'HS256 keyed with the public key': hs256({ alg: 'HS256', typ: 'JWT' }, escalated, publicPem),
    'the genuine signature over changed claims': `${header}.${b64(escalated)}.${vigil.split('.')[2]}`,
  })) {
    assert.equal(await whoami(token), 401, what);
  }
});
