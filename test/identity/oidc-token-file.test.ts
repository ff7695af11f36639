// The stored Vigil token: under $XDG_CONFIG_HOME/vigil (else ~/.config/vigil), dir 0700, file 0600.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deleteToken, readToken, saveToken, tokenFilePath } from '../../src/identity/oidc-token-file.js';

const stored = {
  gateway: 'http://127.0.0.1:8080',
  token: 'eyJ.a.b',
  token_id: 'g_1',
  subject: 'alice@example.com',
  expires_at: '2030-01-01T00:00:00.000Z',
};

test('XDG_CONFIG_HOME wins; else HOME/.config', () => {
  assert.equal(tokenFilePath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' }), '/x/cfg/vigil/token');
  assert.equal(tokenFilePath({ HOME: '/home/a' }), '/home/a/.config/vigil/token');
  // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
  assert.equal(tokenFilePath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/a' }), '/home/a/.config/vigil/token');
});

test('saved with dir 0700 and file 0600, read back, deleted', () => {
  const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'vigil-xdg-')) };
  // A pre-existing, too-open directory is tightened.
  mkdirSync(join(env.XDG_CONFIG_HOME, 'vigil'), { mode: 0o755 });
  chmodSync(join(env.XDG_CONFIG_HOME, 'vigil'), 0o755);
  const file = saveToken(stored, env);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(env.XDG_CONFIG_HOME, 'vigil')).mode & 0o777, 0o700);
  assert.deepEqual(readToken(env), stored);
  assert.equal(deleteToken(env), true);
  assert.equal(readToken(env), null);
  assert.equal(deleteToken(env), false);
});

test('a damaged token file is reported, not trusted', () => {
  const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'vigil-xdg-')) };
  mkdirSync(join(env.XDG_CONFIG_HOME, 'vigil'));
  writeFileSync(join(env.XDG_CONFIG_HOME, 'vigil', 'token'), '{"token": 1}');
  assert.throws(() => readToken(env), { code: 'config_invalid' });
});
