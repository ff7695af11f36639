// Secret-named fields written inside a text value (a JSON document in a string, a form, `.env` and
// YAML lines), read by the payload walk: their values are masked whole, wherever the text sits, and
// the text around them is kept as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { embeddedFieldSpans } from './embedded-fields.js';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';

const masker = createMasker({ fingerprintKey: 'embedded-fields-test-key-0123456789' });
const SECRET = 'amber-tide-lullaby';
const walked = (text: string) => String(masker.maskPayload({ text }, '').text);

test('fields in JSON text, forms and lines are masked whole; the text rules alone missed each', () => {
  const cases = [
    JSON.stringify({ user: 'bob', api_key: SECRET }),
    JSON.stringify({ config: { headers: { Authorization: `Token ${SECRET}` } } }),
    JSON.stringify({ access_token: SECRET, token_type: 'bearer', expires_in: 3600 }),
    JSON.stringify([{ clientSecret: SECRET }]),
    JSON.stringify({ credentials: [SECRET, 'other'] }),
    JSON.stringify({ 'X-Api-Key': SECRET }, null, 2),
    `{"session_token": "${SECRET}`,
    `grant_type=client_credentials&client_id=app&client_secret=${SECRET}`,
    `?api_key=${SECRET}&page=2`,
    `SERVICE=web\nDEPLOY_TOKEN=${SECRET}\n`,
    `export STRIPE_SECRET="${SECRET}" # live\n`,
    `database:\n  host: db\n  client_secret: '${SECRET}'\n`,
    `X-Api-Key: ${SECRET}\nAccept: */*`,
  ];
  for (const text of cases) {
    assert.ok(masker.maskText(text).includes(SECRET), `the text rules find this one: ${text}`);
    const out = walked(text);
    assert.ok(!out.includes(SECRET), `${text} → ${out}`);
    assert.match(out, /\[MASKED:secret-field:[0-9a-f]{6}\]/);
  }
});

test('only the value is replaced, and placeholders, hints and counters stay', () => {
  assert.match(
    walked('{"user": "bob", "password": "x y"}'),
    /^\{"user": "bob", "password": "\[MASKED:secret-field:[0-9a-f]{6}\]"\}$/,
  );
  assert.match(walked('a=1&api_key=x-y-z&b=2'), /^a=1&api_key=\[MASKED:secret-field:[0-9a-f]{6}\]&b=2$/);
  for (const text of [
    `{"password": "\${DB_PASSWORD}", "max_tokens": 100, "token_count": 5, "password_hint": "pet name"}`,
    'PASS: test/app.test.ts\nFAIL: other',
    'Token: the next word in the sentence',
    'a=1&b=2',
    'x == y',
    'url: https://example.com\nkey: value',
  ])
    assert.equal(walked(text), text);
});

test('spans lie inside the text and inside JSON strings, for any document', () => {
  const secret = secretNameMatcher();
  fc.assert(
    fc.property(fc.json(), fc.string(), (doc, cut) => {
      const text = doc + cut;
      for (const s of embeddedFieldSpans(text, secret)) {
        assert.ok(0 <= s.start && s.start <= s.end && s.end <= text.length);
        assert.ok(!text.slice(s.start, s.end).includes('\n') || text.trimStart()[0] === '{');
      }
    }),
  );
  // A masked JSON document is still JSON, with the same keys.
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('password', 'name', 'api_key', 'id'), fc.string()), (o) => {
      const text = JSON.stringify({ nested: o });
      const out = walked(text);
      assert.deepEqual(Object.keys((JSON.parse(out) as { nested: object }).nested), Object.keys(o));
    }),
  );
});
