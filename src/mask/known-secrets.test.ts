// The spellings a known secret takes on the way back from an upstream: PHP's JSON (`/` as `\/`) and
// a URL's percent-encoding of base64's punctuation, in either case, around the secret alone or
// inside a larger base64 blob (a Basic credential).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretVariants } from './known-secrets.js';
import { createMasker } from './masker.js';

const CREDENTIAL = 'svc:Never?Held?0123';

/** How PHP's json_encode writes a string's `/`. */
const php = (text: string) => text.replaceAll('/', '\\/');
/** A URL encoder's spelling of base64 punctuation, upper- or lower-case hex. */
const percent = (text: string, lower: boolean) =>
  text.replace(/[+/=]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).toUpperCase();
    return `%${lower ? hex.toLowerCase() : hex}`;
  });

test('a Basic credential echoed the PHP way or URL-encoded is masked toward the client', () => {
  const masker = createMasker({ fingerprintKey: 'k', knownSecrets: [{ value: CREDENTIAL, label: 'api' }] });
  const basic = Buffer.from(CREDENTIAL).toString('base64');
  assert.ok(basic.includes('/'), 'the example needs a `/` in its base64');
  for (const echo of [
    `{"headers":{"Authorization":"Basic ${php(basic)}"}}`,
    `?auth=${percent(basic, false)}`,
    `?auth=${percent(basic, true)}`,
    `note: ${php(CREDENTIAL)}`,
    `next=${encodeURIComponent(CREDENTIAL).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`,
  ]) {
    const masked = masker.maskKnownSecrets(echo);
    assert.match(masked, /\[MASKED:known-secret:[0-9a-f]{6}\]/, echo);
    assert.ok(!masked.includes('hlbGQ'), `${echo} → ${masked}`);
  }
});

test('every base64 alignment of any secret is found in PHP JSON and percent-encoded spellings', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 8, maxLength: 24 }),
      fc.uint8Array({ maxLength: 5 }),
      fc.uint8Array({ maxLength: 5 }),
      fc.boolean(),
      (secret, before, after, url) => {
        const masker = createMasker({ fingerprintKey: 'k', knownSecrets: [{ value: secret, label: 'p' }] });
        const blob = Buffer.concat([before, Buffer.from(secret), after]).toString(
          url ? 'base64url' : 'base64',
        );
        for (const form of [php(blob), percent(blob, false), percent(blob, true), php(secret)]) {
          const masked = masker.maskKnownSecrets(form);
          assert.match(
            masked,
            /\[MASKED:known-secret:/,
            `${JSON.stringify(secret)} in ${JSON.stringify(form)}`,
          );
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('a secret without `/`, `+` or `=` in any spelling gains no variants', () => {
  const plain = 'injected-upstream-credential-1234';
  const variants = secretVariants(plain);
  assert.ok(
    variants.every((v) => !v.includes('\\/') && !/%2f|%2b/i.test(v)),
    variants.join(' '),
  );
});
