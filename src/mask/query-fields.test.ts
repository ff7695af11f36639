// Query parameters read as a server reads them: a secret name spelled with percent escapes, and a
// JSON document or a form percent-encoded in one value, are masked; the text is kept as written
// around them; the reader stays linear on hostile texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fieldSecret } from './embedded-fields.js';
import { createMasker } from './masker.js';
import { percentDecoded, type QueryReading, queryFieldSpans } from './query-fields.js';
import { secretNameMatcher } from './secret-names.js';

const masker = createMasker({ fingerprintKey: 'query-fields-test-key-0123456789' });
const walked = (text: string) => String(masker.maskPayload({ text }, '').text);
const SECRET = 'CorrectHorseBatteryStaple';
const reading: QueryReading = {
  secretName: secretNameMatcher(),
  isSecret: fieldSecret,
  nested: () => [],
  depth: 0,
};

/** Each character as written or percent-escaped, in upper- or lower-case hex. */
const spelled = (text: string) =>
  fc.array(fc.integer({ min: 0, max: 2 }), { minLength: text.length, maxLength: text.length }).map((how) =>
    [...text]
      .map((c, i) => {
        const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
        return how[i] === 0 ? c : `%${how[i] === 1 ? hex.toUpperCase() : hex}`;
      })
      .join(''),
  );

test('the gaps: an escaped secret name, and a document encoded in a value, once or twice', () => {
  const json = encodeURIComponent(JSON.stringify({ user: 'bob', password: SECRET }));
  for (const [text, kept] of [
    [`?%70assword=${SECRET}`, '?%70assword='],
    [`?utm:src=mail&pass%77ord=${SECRET}`, '?utm:src=mail&pass%77ord='],
    [`{"url":"\\/v1\\/login?%70assword=${SECRET}&next=%2F"}`, '&next=%2F"}'],
    [`GET https://api.example/v1?x=${json}&y=2`, '%22user%22%3A%22bob%22'],
    [`?x=${encodeURIComponent(json)}`, '%2522user%2522'],
    [`?next=a%3D1%26client_secret%3D${SECRET}`, '?next=a%3D1%26client_secret%3D'],
  ]) {
    const masked = walked(text!);
    assert.ok(!masked.includes(SECRET), `${text} → ${masked}`);
    assert.match(masked, /\[MASKED:secret-field:[0-9a-f]{6}\]/);
    assert.ok(masked.includes(kept!), `${text} → ${masked}`);
  }
});

test('queries without a secret field are kept as written', () => {
  for (const text of [
    'https://example.com/?page=2&sort=name',
    'What? x=1, then?',
    `?q=${encodeURIComponent('{"user":"bob"}')}`,
    '?a=%ZZ&b=%&c=+',
  ])
    assert.equal(walked(text), text);
});

test('a secret-named parameter is masked however its name is spelled, the rest kept', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('password', 'client_secret', 'api_key', 'access_token'),
      fc.stringMatching(/^[A-Za-z0-9._~-]{8,30}$/),
      fc.constantFrom('page', 'q', 'sort'),
      fc.constantFrom('', 'https://h.example/v1/items', 'GET /v1/items'),
      (name, value, other, prefix) =>
        fc.assert(
          fc.property(spelled(name), (written) => {
            const text = `${prefix}?${other}=1&${written}=${value}&${other}=2 tail`;
            const spans = queryFieldSpans(text, reading);
            assert.deepEqual(
              spans.map((s) => text.slice(s.start, s.end)),
              [value],
              text,
            );
            assert.equal(spans[0]!.name, name);
          }),
          { numRuns: 5 },
        ),
    ),
    { numRuns: 60 },
  );
});

test('decoding maps every character back to where it is written', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[ -$&-*,-~]{0,40}$/).chain((t) => fc.tuple(fc.constant(t), spelled(t))),
      ([plain, written]) => {
        const { text, rawAt } = percentDecoded(written);
        assert.equal(text, plain);
        assert.equal(rawAt.length, text.length + 1);
        assert.equal(rawAt[text.length], written.length);
        for (let i = 0; i < text.length; i++) {
          const at = written[rawAt[i]!]!;
          assert.ok(at === text[i] || at === '%', `${written} at ${i}`);
        }
      },
    ),
  );
});

test('the reader is linear on long texts of queries, pairs and escapes', () => {
  for (const unit of ['?a=1 ', '&', '&a', '?a=', '=', '?x=%25', '?x=%7B%22a%22%3A', '?%70assword=x&']) {
    const text = unit.repeat(Math.ceil(200_000 / unit.length));
    const started = performance.now();
    walked(text);
    assert.ok(performance.now() - started < 1500, `${JSON.stringify(unit)} took too long`);
  }
});
