import assert from 'node:assert/strict';
import { createPublicKey, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ed25519FromSeed, newEd25519Key } from './ed25519-seed-key.js';

test('a key made from any seed signs what its public key verifies, and names that public key', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const key = ed25519FromSeed(Buffer.from(bytes));
      const jwk = key.export({ format: 'jwk' });
      assert.deepEqual(Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(bytes));
      const data = Buffer.from('vigil');
      assert.ok(verify(null, data, createPublicKey(key), sign(null, data, key)));
    }),
    { numRuns: 100 },
  );
});

test('a new key gives its seed and its raw public key, fresh each time', () => {
  const a = newEd25519Key();
  const b = newEd25519Key();
  assert.equal(a.seed.length, 32);
  assert.equal(a.publicKey.length, 32);
  assert.notDeepEqual(a.seed, b.seed);
  const jwk = a.privateKey.export({ format: 'jwk' });
  assert.deepEqual(Buffer.from(jwk.x ?? '', 'base64url'), a.publicKey);
  assert.deepEqual(Buffer.from(jwk.d ?? '', 'base64url'), a.seed);
});

test('a seed of another length is refused', () => {
  assert.throws(() => ed25519FromSeed(Buffer.alloc(31)), RangeError);
  assert.throws(() => ed25519FromSeed(Buffer.alloc(33)), RangeError);
});
