import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { ConfigTokenAuthenticator, hashToken } from './config-tokens.js';
import { parseAuthorizedKey } from './public-keys.js';

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAICeHhB+aZdSL8ms7GnhWVCmyji6lch7KsufYub3JYpRm';
const WIRE = Buffer.from(KEY, 'base64');

const identity = (name: string, ssh_keys: string[]) => ({
  name,
  kind: 'user' as const,
  groups: ['ops'],
  roles: ['user' as const],
  token_sha256: hashToken(`${name}-token`),
  ssh_keys,
});

test('an authorized_keys line gives the wire key, with or without options and comment', () => {
  assert.deepEqual(parseAuthorizedKey(`ssh-ed25519 ${KEY}`), WIRE);
  assert.deepEqual(parseAuthorizedKey(`ssh-ed25519 ${KEY} alice@laptop`), WIRE);
  assert.deepEqual(parseAuthorizedKey(`no-pty,from="10.0.0.0/8" ssh-ed25519 ${KEY} c`), WIRE);
});

test('a line whose named type differs from the key inside it is refused', () => {
  assert.throws(() => parseAuthorizedKey(`ssh-rsa ${KEY}`), { code: 'config_invalid' });
  assert.throws(() => parseAuthorizedKey(KEY), { code: 'config_invalid' });
});

test('any text either parses or is refused with config_invalid (never another error)', () => {
  fc.assert(
    fc.property(fc.string(), fc.base64String(), (text, b64) => {
      for (const line of [text, `ssh-ed25519 ${b64}`, `ssh-ed25519 AAAA${b64}`]) {
        try {
          parseAuthorizedKey(line);
        } catch (err) {
          assert.ok(err instanceof VigilError && err.code === 'config_invalid');
        }
      }
    }),
  );
});

test('a registered key resolves to its identity; an unknown key is auth_invalid', async () => {
  const auth = new ConfigTokenAuthenticator([
    identity('alice', [`ssh-ed25519 ${KEY} laptop`]),
    identity('bob', []),
  ]);
  assert.equal(auth.knowsPublicKey(WIRE), true);
  const found = await auth.authenticate({ kind: 'public-key', key: WIRE });
  assert.equal(found.identity.subject, 'alice');
  assert.match(found.identity.tokenId ?? '', /^key_[0-9a-f]{12}$/);
  const other = Buffer.from(WIRE);
  other[other.length - 1] ^= 1;
  assert.equal(auth.knowsPublicKey(other), false);
  await assert.rejects(auth.authenticate({ kind: 'public-key', key: other }), { code: 'auth_invalid' });
  // A token is still a token: a key's text is not accepted as one.
  await assert.rejects(auth.authenticate(`ssh-ed25519 ${KEY}`), { code: 'auth_invalid' });
});

test('one key registered to two identities is a configuration error', () => {
  assert.throws(
    () =>
      new ConfigTokenAuthenticator([
        identity('alice', [`ssh-ed25519 ${KEY}`]),
        identity('bob', [`ssh-ed25519 ${KEY} b`]),
      ]),
    { code: 'config_invalid' },
  );
});
