import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import { loadOrCreateTokenKey } from './token-keys.js';
import { VigilTokens } from './vigil-tokens.js';

const key = loadOrCreateTokenKey(mkdtempSync(join(tmpdir(), 'vigil-tokens-')));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (err) {
    if (err instanceof VigilError) return err.code;
    throw err;
  }
}

test('a remembered token still expires on time', async () => {
  let now = Date.UTC(2026, 11, 3, 9, 0, 0);
  const tokens = new VigilTokens(key, 'vigil', { now: () => now });
  const { token } = await tokens.issue({ subject: 'alice', groups: [], roles: ['user'], ttlMs: 60_000 }, now);
  assert.equal(await code(tokens.verify(token)), 'accepted');
  now += 59_000;
  assert.equal(await code(tokens.verify(token)), 'accepted');
  now += 1_000;
  assert.equal(await code(tokens.verify(token)), 'auth_expired');
});

test('a token accepted once does not vouch for an altered copy of it', async () => {
  const tokens = new VigilTokens(key, 'vigil');
  const { token } = await tokens.issue({
    subject: 'alice',
    groups: ['ai-eng'],
    roles: ['user'],
    ttlMs: 60_000,
  });
  const claims = await tokens.verify(token);
  assert.equal(claims.subject, 'alice');
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
  const promoted = Buffer.from(JSON.stringify({ ...payload, roles: ['admin'] })).toString('base64url');
  assert.equal(await code(tokens.verify(`${h}.${promoted}.${s}`)), 'auth_invalid');
  const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
  assert.equal(await code(tokens.verify(`${h}.${p}.${flipped}`)), 'auth_invalid');
  // What every request with the token shares cannot be changed by one of them.
  assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.roles) && Object.isFrozen(claims.groups));
});

test('a token is remembered only by the gateway key that verified it', async () => {
  const other = new VigilTokens(loadOrCreateTokenKey(mkdtempSync(join(tmpdir(), 'vigil-tokens-'))), 'vigil');
  const tokens = new VigilTokens(key, 'vigil');
  const { token } = await tokens.issue({ subject: 'alice', groups: [], roles: [], ttlMs: 60_000 });
  assert.equal(await code(tokens.verify(token)), 'accepted');
  assert.equal(await code(other.verify(token)), 'auth_invalid');
});

test('a console token lives at most 12 hours, as its cookie does, whatever identity.token_ttl says', async () => {
  let now = Date.UTC(2026, 11, 5, 9, 0, 0);
  const tokens = new VigilTokens(key, 'vigil', { now: () => now });
  const day = 24 * 3600_000;
  const issue = (console: boolean) =>
    tokens.issue({ subject: 'alice', groups: [], roles: ['user'], ttlMs: day, console }, now);
  const [forConsole, forCli] = [await issue(true), await issue(false)];
  assert.equal(forConsole.claims.expiresAt - now, 12 * 3600_000);
  assert.equal(forCli.claims.expiresAt - now, day);
  now += 12 * 3600_000;
  assert.equal(await code(tokens.verify(forConsole.token)), 'auth_expired');
  assert.equal(await code(tokens.verify(forCli.token)), 'accepted');
});
