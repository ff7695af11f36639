import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { VigilError } from '../core/errors.js';
import type { StoreBundle } from '../core/ports.js';
import { configSchema } from '../protocols/index.js';
import { openStore } from '../store/index.js';
import { AccessState } from './access-state.js';
import { ConfigTokenAuthenticator, hashToken } from './config-tokens.js';
import { GatewayAuthenticator } from './gateway-authenticator.js';
import { createServiceToken } from './service-accounts.js';
import { loadOrCreateTokenKey } from './token-keys.js';
import { VigilTokens } from './vigil-tokens.js';

let store: StoreBundle;
let tokens: VigilTokens;
let access: AccessState;
let auth: GatewayAuthenticator;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
  store = await openStore(configSchema.parse({}), dataDir);
  tokens = new VigilTokens(loadOrCreateTokenKey(dataDir), 'vigil');
  access = new AccessState(store.access);
  auth = new GatewayAuthenticator({
    staticTokens: new ConfigTokenAuthenticator([
      {
        name: 'root',
        kind: 'user',
        groups: [],
        roles: ['admin'],
        ssh_keys: [],
        token_sha256: hashToken('static-root-token'),
      },
    ]),
    vigilTokens: tokens,
    accessStore: store.access,
    access,
  });
});

async function refusal(credential: string | null): Promise<string> {
  await access.refresh();
  try {
    await auth.authenticate(credential);
  } catch (err) {
    if (err instanceof VigilError) return err.code;
    throw err;
  }
  return 'accepted';
}

const issue = (subject = 'alice@example.com', ttlMs = 60_000, now?: number) =>
  tokens.issue({ subject, groups: ['ai-eng'], roles: ['user'], ttlMs }, now);

test('a fresh Vigil token carries subject, groups and token id', async () => {
  const { token, claims } = await issue();
  const found = await auth.authenticate(token);
  assert.deepEqual(found.identity, {
    subject: 'alice@example.com',
    kind: 'user',
    groups: ['ai-eng'],
    tokenId: claims.tokenId,
  });
  assert.equal(found.expiresAt, Math.floor(claims.expiresAt / 1000) * 1000);
});

test('the signing key is created once, mode 0600, and reused', async () => {
  const { statSync } = await import('node:fs');
  const file = join(dataDir, 'keys', 'token-signing-key.pem');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(loadOrCreateTokenKey(dataDir).keyId, loadOrCreateTokenKey(dataDir).keyId);
});

test('expired, tampered, alg none, foreign-key and wrong-audience tokens are refused with their codes', async () => {
  const expired = (await issue('a@x', 1000, Date.now() - 10_000)).token;
  assert.equal(await refusal(expired), 'auth_expired');

  const { token } = await issue();
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
  const forged = Buffer.from(JSON.stringify({ ...payload, sub: 'admin@example.com' })).toString('base64url');
  assert.equal(await refusal(`${h}.${forged}.${s}`), 'auth_invalid');

  const none = new UnsecuredJWT({ groups: ['ai-eng'] })
    .setIssuer('vigil')
    .setAudience('vigil')
    .setSubject('alice@example.com')
    .setJti('g_x')
    .setExpirationTime('1h')
    .encode();
  assert.equal(await refusal(none), 'auth_invalid');

  const { privateKey } = generateKeyPairSync('ed25519');
  const foreign = await new SignJWT({ groups: [] })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('vigil')
    .setAudience('vigil')
    .setSubject('alice@example.com')
    .setJti('g_y')
    .setExpirationTime('1h')
    .sign(privateKey);
  assert.equal(await refusal(foreign), 'auth_invalid');

  const otherAudience = new VigilTokens(loadOrCreateTokenKey(dataDir), 'another-gateway');
  assert.equal(
    await refusal((await otherAudience.issue({ subject: 'a', groups: [], roles: [], ttlMs: 60_000 })).token),
    'auth_invalid',
  );
  assert.equal(await refusal(null), 'auth_missing');
  assert.equal(await refusal('garbage'), 'auth_invalid');
});

test('a revoked token id and a disabled identity are refused', async () => {
  const { token, claims } = await issue('carol@example.com');
  assert.equal(await refusal(token), 'accepted');
  await store.access.revokeToken(claims.tokenId, new Date().toISOString());
  assert.equal(await refusal(token), 'auth_revoked');

  const second = (await issue('dave@example.com')).token;
  await store.access.disableIdentity('dave@example.com', new Date().toISOString(), 'left');
  assert.equal(await refusal(second), 'auth_revoked');
  assert.equal(await refusal((await issue('dave@example.com')).token), 'auth_revoked', 'new tokens too');
  await store.access.enableIdentity('dave@example.com');
  assert.equal(await refusal(second), 'accepted');

  await store.access.disableIdentity('root', new Date().toISOString(), 'left');
  assert.equal(await refusal('static-root-token'), 'auth_revoked', 'static tokens obey offboarding');
});

test('service-account tokens: hashed at rest, scoped, until expiry, revocable', async () => {
  const { token, record } = await createServiceToken(store.access, {
    name: 'etl',
    connections: ['pg'],
    ttlMs: 60_000,
  });
  const found = await auth.authenticate(token);
  assert.deepEqual(found.scope, ['pg']);
  assert.equal(found.identity.kind, 'service');
  assert.equal((await store.access.findServiceToken(hashToken(token)))?.id, record.id);
  // As an attacker who copies the data directory: the files hold the hash, never the token itself.
  const files = (readdirSync(dataDir, { recursive: true }) as string[])
    .map((f) => join(dataDir, f))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path));
  assert.ok(
    files.some((bytes) => bytes.includes(hashToken(token))),
    'the stored rows are in the data directory',
  );
  assert.ok(!files.some((bytes) => bytes.includes(token)), 'only the hash is stored');

  const expired = await createServiceToken(
    store.access,
    { name: 'etl', connections: ['pg'], ttlMs: 1000 },
    Date.now() - 5000,
  );
  assert.equal(await refusal(expired.token), 'auth_expired');
  await store.access.revokeToken(record.id, new Date().toISOString());
  assert.equal(await refusal(token), 'auth_revoked');
  assert.equal(await refusal('vsa_not-a-real-token'), 'auth_invalid');
});

test('a remembered service-account token still expires on time and is still revocable', async () => {
  let now = Date.now();
  const clocked = new GatewayAuthenticator({
    staticTokens: new ConfigTokenAuthenticator([]),
    vigilTokens: tokens,
    accessStore: store.access,
    access,
    now: () => now,
  });
  const { token } = await createServiceToken(
    store.access,
    { name: 'agent', connections: [], ttlMs: 60_000 },
    now,
  );
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (err: unknown) => (err instanceof VigilError ? err.code : 'thrown'),
    );
  assert.equal(await codeOf(clocked.authenticate(token)), 'accepted');
  now += 59_000;
  assert.equal(await codeOf(clocked.authenticate(token)), 'accepted');
  now += 1_000;
  assert.equal(await codeOf(clocked.authenticate(token)), 'auth_expired');

  const second = await createServiceToken(
    store.access,
    { name: 'agent', connections: [], ttlMs: 600_000 },
    now,
  );
  assert.equal(await codeOf(clocked.authenticate(second.token)), 'accepted');
  await store.access.revokeToken(second.record.id, new Date(now).toISOString());
  await access.refresh();
  assert.equal(await codeOf(clocked.authenticate(second.token)), 'auth_revoked');
});
