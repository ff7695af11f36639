import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';

const secret = 'pg-Pa55w0rd!/with+symbols';

test('a known secret is masked raw, URL-encoded and inside base64 at every alignment', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret(secret, 'pg-prod');
  fc.assert(
    fc.property(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (before, after) => {
      const forms = [
        `x ${secret} y`,
        `u=${encodeURIComponent(secret)}&z`,
        Buffer.from(before + secret + after).toString('base64'),
        Buffer.from(before + secret + after).toString('base64url'),
      ];
      for (const form of forms) {
        const { findings } = masker.scanText(form);
        assert.ok(
          findings.some((f) => f.ruleId === 'known-secret' && f.label === 'pg-prod'),
          `known secret found in ${form}`,
        );
      }
    }),
  );
});

test('every form of a known secret carries the same fingerprint', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret(secret, 'pg-prod');
  const a = masker.maskText(secret);
  const b = masker.maskText(encodeURIComponent(secret));
  assert.match(a, /^\[MASKED:known-secret:[0-9a-f]{6}\]$/);
  assert.equal(a, b);
});

test('values too short to be safe are not registered', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret('abc', 'short');
  assert.equal(masker.maskText('abc abc'), 'abc abc');
});

test('a known secret kilobytes long (a PEM private key) compiles and is masked whole', () => {
  // Its literal variants once overflowed the stack while being compiled into one pattern.
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret(pem, 'saml-sp-key');
  const masked = masker.maskPayload({ text: `key follows\n${pem}\nend`, other: 'hello' }, 'c');
  assert.equal(masked.other, 'hello');
  assert.doesNotMatch(String(masked.text), /MII/);
  assert.match(String(masked.text), /\[MASKED:(known-secret|private-key):[0-9a-f]{6}\]/);
});

test('the known-secrets masker masks the secrets the gateway holds and nothing else, streamed at any cut', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret(secret, 'pg-prod');
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  const text = `a ${secret} b ${Buffer.from(`x${secret}`).toString('base64')} c ${aws} d`;
  const whole = masker.maskKnownSecrets(text);
  assert.ok(!whole.includes(secret) && whole.includes(aws), whole);
  assert.equal(whole.match(/\[MASKED:known-secret:/g)?.length, 2, whole);
  // The full rule set would have masked the access key id too.
  assert.ok(!masker.maskText(text).includes(aws));
  for (let cut = 0; cut <= text.length; cut++) {
    const stream = masker.createKnownSecretsMasker();
    const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
    if (out !== whole) assert.equal(out, whole, `cut at ${cut}`);
  }
});
