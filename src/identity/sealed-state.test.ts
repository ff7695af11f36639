// Sealed sign-in state: whatever is sealed opens back for its purpose until it expires, and nothing
// else opens: a single changed byte or character, a truncation, another purpose, another key, or
// any string at all answers null and never throws.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { SEAL_PURPOSES, SealedState } from './sealed-state.js';

const purpose = fc.constantFrom(...SEAL_PURPOSES);
const value = fc.jsonValue({ maxDepth: 3 });
const signingKey = generateKeyPairSync('ed25519').privateKey;
const sealer = SealedState.fromSigningKey(signingKey);

test('what is sealed opens for its purpose, on any replica holding the same signing key', () => {
  const replica = SealedState.fromSigningKey(signingKey);
  fc.assert(
    fc.property(purpose, value, (p, v) => {
      const sealed = sealer.seal(p, v, 60_000);
      assert.match(sealed, /^[A-Za-z0-9_-]+$/);
      const opened = replica.open(p, sealed);
      assert.ok(opened);
      assert.deepEqual(opened.value, JSON.parse(JSON.stringify(v)));
    }),
  );
});

test('one changed byte, one changed character or a truncation never opens', () => {
  fc.assert(
    fc.property(
      purpose,
      value,
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      fc.nat(),
      fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.'),
      (p, v, at, flip, cut, char) => {
        const sealed = sealer.seal(p, v, 60_000);
        const bytes = Buffer.from(sealed, 'base64url');
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ flip;
        assert.equal(sealer.open(p, bytes.toString('base64url')), null, `byte ${i}`);
        const j = at % sealed.length;
        if (sealed[j] !== char) {
          const edited = sealed.slice(0, j) + char + sealed.slice(j + 1);
          assert.equal(sealer.open(p, edited), null, `character ${j}`);
        }
        assert.equal(sealer.open(p, sealed.slice(0, cut % sealed.length)), null, 'truncated');
        assert.equal(sealer.open(p, `${sealed}A`), null, 'extended');
      },
    ),
  );
});

test('a value sealed for one purpose never opens for another, nor under another key', () => {
  const stranger = SealedState.fromSigningKey(generateKeyPairSync('ed25519').privateKey);
  fc.assert(
    fc.property(purpose, purpose, value, (sealedFor, openedFor, v) => {
      const sealed = sealer.seal(sealedFor, v, 60_000);
      if (sealedFor !== openedFor) assert.equal(sealer.open(openedFor, sealed), null);
      assert.equal(stranger.open(sealedFor, sealed), null);
    }),
  );
});

test('a sealed value expires', () => {
  let now = 1_000_000;
  const clock = new SealedState(randomBytes(32), () => now);
  const sealed = clock.seal('saml-cli-code', { a: 1 }, 60_000);
  now += 59_999;
  assert.deepEqual(clock.open('saml-cli-code', sealed), { value: { a: 1 }, expiresAt: 1_060_000 });
  now += 1;
  assert.equal(clock.open('saml-cli-code', sealed), null);
});

test('any string opens to null without throwing', () => {
  fc.assert(
    fc.property(purpose, fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), (p, s) => {
      assert.equal(sealer.open(p, s), null);
    }),
    { numRuns: 500 },
  );
  // Well-formed base64url of the right length, but random: the tag does not hold.
  for (const length of [0, 28, 29, 64, 200])
    assert.equal(sealer.open('oidc-state', randomBytes(length).toString('base64url')), null);
  assert.equal(sealer.open('oidc-state', 'A'.repeat(20_000)), null);
});
