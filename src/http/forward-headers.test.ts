import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isClientCredentialHeader } from './credentials.js';
import { clientResponseHeaders, forwardableRequestHeaders } from './forward-headers.js';

const NEVER_FORWARDED = [
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'proxy-authorization',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
  'x-vigil-session',
  'x-vigil-anything',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-real-ip',
  'x-client-ip',
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-override-url',
];

const nameArb = fc.oneof(
  fc.constantFrom(...NEVER_FORWARDED, 'content-type', 'accept', 'user-agent', 'anthropic-version'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
const valueArb = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
);

test('no credential, hop-by-hop, proxy-claim or x-vigil-* header reaches the target; every other header does', () => {
  fc.assert(
    fc.property(fc.dictionary(nameArb, valueArb, { maxKeys: 12 }), (incoming) => {
      const out = forwardableRequestHeaders(incoming);
      for (const [name, value] of Object.entries(incoming)) {
        const dropped =
          NEVER_FORWARDED.includes(name) || name.startsWith('x-vigil-') || name.startsWith('x-forwarded-');
        if (dropped) assert.ok(!(name in out), `${name} was forwarded`);
        else assert.equal(out[name], Array.isArray(value) ? value.join(', ') : value, name);
      }
      assert.deepEqual(
        Object.keys(out).sort(),
        Object.keys(incoming)
          .filter((n) => n in out)
          .sort(),
      );
      assert.ok(Object.keys(out).every((n) => !isClientCredentialHeader(n)));
    }),
  );
});

test('the client never gets the target cookies or hop-by-hop headers back', () => {
  const out = clientResponseHeaders({
    'content-type': 'application/json',
    'set-cookie': ['session=upstream-secret'],
    'transfer-encoding': 'chunked',
    connection: 'keep-alive',
    'x-request-id': 'req-1',
    'anthropic-ratelimit-requests-remaining': '9',
    missing: undefined,
  });
  assert.deepEqual(out, {
    'content-type': 'application/json',
    'x-request-id': 'req-1',
    'anthropic-ratelimit-requests-remaining': '9',
  });
});
