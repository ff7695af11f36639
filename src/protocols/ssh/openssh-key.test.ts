import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import ssh2 from 'ssh2';
import { encodeEd25519OpenSsh, generateEd25519OpenSsh } from './openssh-key.js';

/** The raw public key of a raw Ed25519 seed, through node:crypto. */
function publicOf(seed: Buffer): Buffer {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const key = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
  return Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
}

function assertUsable(pair: { private: string; public: string }, publicKey: Buffer, comment: string): void {
  const parsed = ssh2.utils.parseKey(pair.private);
  assert.ok(!(parsed instanceof Error), parsed instanceof Error ? parsed.message : '');
  assert.equal(parsed.type, 'ssh-ed25519');
  assert.equal(parsed.comment, comment);
  assert.deepEqual(parsed.getPublicSSH().subarray(-32), publicKey);
  const data = Buffer.from('vigil');
  assert.ok(parsed.verify(data, parsed.sign(data)));
  const pub = ssh2.utils.parseKey(pair.public);
  assert.ok(!(pub instanceof Error));
  assert.deepEqual(pub.getPublicSSH(), parsed.getPublicSSH());
}

test('any seed encodes to a key ssh2 reads back, signs with and whose public half matches', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.string({ maxLength: 40 }),
      (bytes, comment) => {
        const seed = Buffer.from(bytes);
        const publicKey = publicOf(seed);
        assertUsable(encodeEd25519OpenSsh(seed, publicKey, comment), publicKey, comment);
      },
    ),
    { numRuns: 300 },
  );
});

test('a public key that starts with a zero byte keeps all 32 bytes (ssh2 own generator drops it)', () => {
  let seed = Buffer.alloc(32);
  for (let i = 0; ; i++) {
    seed = Buffer.alloc(32);
    seed.writeUInt32BE(i);
    if (publicOf(seed)[0] === 0) break;
  }
  const publicKey = publicOf(seed);
  assertUsable(encodeEd25519OpenSsh(seed, publicKey, 'zero'), publicKey, 'zero');
});

test('generated keys: a thousand in a row are all readable', () => {
  for (let i = 0; i < 1000; i++) {
    const pair = generateEd25519OpenSsh('vigil');
    const parsed = ssh2.utils.parseKey(pair.private);
    assert.ok(!(parsed instanceof Error), `key ${i}: ${parsed instanceof Error ? parsed.message : ''}`);
  }
});

test('wrong lengths are refused', () => {
  assert.throws(() => encodeEd25519OpenSsh(Buffer.alloc(31), Buffer.alloc(32)), RangeError);
  assert.throws(() => encodeEd25519OpenSsh(Buffer.alloc(32), Buffer.alloc(33)), RangeError);
});

const keygen = spawnSync('ssh-keygen', ['-?'], { encoding: 'utf8' }).error ? undefined : 'ssh-keygen';

test('OpenSSH ssh-keygen derives the same public key from the private key file', {
  skip: keygen ? false : 'ssh-keygen is not installed (Debian package openssh-client)',
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-openssh-key-'));
  try {
    const pair = generateEd25519OpenSsh('vigil test');
    const path = join(dir, 'id_ed25519');
    writeFileSync(path, pair.private, { mode: 0o600 });
    const out = spawnSync('ssh-keygen', ['-y', '-f', path], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.equal(
      out.stdout.trim().split(' ').slice(0, 2).join(' '),
      pair.public.split(' ').slice(0, 2).join(' '),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
