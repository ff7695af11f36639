import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idTokenUse } from './id-token-once.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const compact = (payload: object, signature: string) =>
  `${b64({ alg: 'ES256' })}.${b64(payload)}.${signature}`;

test('by issuer and jti: the same jti is one use, whatever else differs', () => {
  const one = idTokenUse({
    idToken: compact({ jti: 'j1' }, 'AAAA'),
    claims: { iss: 'https://a', jti: 'j1', exp: 100 },
  });
  const two = idTokenUse({
    idToken: compact({ jti: 'j1', x: 1 }, 'BBBB'),
    claims: { iss: 'https://a', jti: 'j1', exp: 100 },
  });
  const otherIssuer = idTokenUse({
    idToken: compact({ jti: 'j1' }, 'AAAA'),
    claims: { iss: 'https://b', jti: 'j1', exp: 100 },
  });
  assert.equal(one.key, two.key);
  assert.notEqual(one.key, otherIssuer.key);
  assert.equal(one.untilMs, 100_000 + 65_000);
});

test('without a jti, by the signed part: a re-encoded signature is the same use, another payload is not', () => {
  const claims = { iss: 'https://a', exp: 100 };
  const signed = idTokenUse({ idToken: compact({ sub: 'x' }, 'AAAA'), claims });
  const resigned = idTokenUse({ idToken: compact({ sub: 'x' }, 'CCCC'), claims });
  const other = idTokenUse({ idToken: compact({ sub: 'y' }, 'AAAA'), claims });
  assert.equal(signed.key, resigned.key);
  assert.notEqual(signed.key, other.key);
});
