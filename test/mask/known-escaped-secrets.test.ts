// A known secret spelled with JSON `\u` escapes (src/mask/known-escaped-search.ts): PHP's
// json_encode and Python's json.dumps write non-ASCII as `\u00e9`, HTML-safe encoders `<>&'` as
// `\u003c`…, some encoders every character. Each spelling is masked whole, with the raw value's
// fingerprint, by the record's masker and by the stream masker of known secrets alone (what an HTTP
// API's answers and every MCP message pass through), split at every offset; the masked text stays
// valid JSON that no longer holds the secret once decoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';

const SECRET = "sk-Écrin<Held>&Co's/0123";
const masker = createMasker({ fingerprintKey: 'known-escaped-test-key-0123456789' });
masker.addKnownSecret(SECRET, 'upstream');
const plainMask = masker.maskKnownSecrets(SECRET);

/** `\uXXXX` for every character `pick` says, hex in the case given. */
function uEscape(text: string, pick: (c: string, i: number) => boolean, upper = false): string {
  let out = '';
  [...text].forEach((c, i) => {
    if (!pick(c, i)) {
      out += c;
      return;
    }
    for (const unit of c.length === 2 ? [c[0]!, c[1]!] : [c]) {
      const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
      out += `\\u${upper ? hex.toUpperCase() : hex}`;
    }
  });
  return out;
}

/** The whole text's masking and the stream's, fed in the pieces given, agree. */
function streamedEqualsWhole(text: string, cuts: readonly number[]): void {
  const whole = masker.maskKnownSecrets(text);
  const stream = masker.createKnownSecretsMasker();
  let out = '';
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out += stream.push(text.slice(at, cut));
    at = cut;
  }
  out += stream.push(text.slice(at)) + stream.end();
  assert.equal(out, whole, `cuts ${cuts.join(',')} of ${text}`);
}

const spellings = [
  ['non-ASCII escaped (PHP, Python)', uEscape(SECRET, (c) => c > '\u007f')],
  ['HTML-safe', uEscape(SECRET, (c) => "<>&'".includes(c))],
  ['every character', uEscape(SECRET, () => true)],
  ['every character, upper-case hex', uEscape(SECRET, () => true, true)],
  ['PHP with slashes', uEscape(SECRET, (c) => c > '\u007f').replaceAll('/', '\\/')],
] as const;

test('a known secret spelled with \\u escapes is masked whole, with the raw value fingerprint, as in a stream', () => {
  for (const [name, spelled] of spellings) {
    const body = `{"echo":"${spelled}","n":1}`;
    const masked = masker.maskKnownSecrets(body);
    assert.equal(masked, `{"echo":"${plainMask}","n":1}`, name);
    assert.equal(masker.maskText(body), masked, name);
    assert.ok(!JSON.stringify(JSON.parse(masked)).includes('Held'), name);
    for (let i = 0; i <= body.length; i++) streamedEqualsWhole(body, [i]);
  }
});

test('JSON text quoted in a JSON string (a log line of a body) has its escapes read twice', () => {
  const inner = JSON.stringify({ echo: uEscape(SECRET, (c) => c > '\u007f') }).replaceAll('\\\\u', '\\u');
  const line = JSON.stringify({ msg: 'upstream answered', body: inner });
  assert.ok(line.includes('\\\\u00c9'), line);
  const masked = masker.maskKnownSecrets(line);
  assert.ok(masked.includes(plainMask), masked);
  assert.ok(!masked.includes('Held'), masked);
  for (let i = 0; i <= line.length; i++) streamedEqualsWhole(line, [i]);
});

test('escapes that spell other text are left as written', () => {
  const texts = [
    uEscape('caf\u00e9 <b>bold</b> & co', (c) => c > '\u007f' || '<>&'.includes(c)),
    uEscape(SECRET.slice(0, -1), () => true),
    `${uEscape(SECRET.slice(0, 10), () => true)} ${SECRET.slice(10)}`,
    '\\\\u00c9 \\u12 \\uZZZZ \\',
  ];
  for (const text of texts) assert.equal(masker.maskKnownSecrets(text), text);
});

test('property: any mix of escaped and plain characters is masked, streamed at random cuts as whole', () => {
  const around = fc.string({
    unit: fc.constantFrom('a', ' ', '"', '\\', 'u', '0', 'é', '{', ':'),
    maxLength: 12,
  });
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: [...SECRET].length, maxLength: [...SECRET].length }),
      fc.boolean(),
      around,
      around,
      (picks, upper, before, after) => {
        const spelled = uEscape(SECRET, (_c, i) => picks[i]!, upper);
        const text = `${before} ${spelled} ${after}`;
        const masked = masker.maskKnownSecrets(text);
        assert.ok(masked.includes(plainMask), text);
        assert.ok(!masked.includes(spelled), text);
      },
    ),
  );
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: [...SECRET].length, maxLength: [...SECRET].length }),
      around,
      fc.array(fc.nat(), { maxLength: 6 }),
      (picks, noise, cuts) => {
        const text = `${noise}${uEscape(SECRET, (_c, i) => picks[i]!)}${noise}`;
        streamedEqualsWhole(
          text,
          cuts.map((c) => c % (text.length + 1)),
        );
      },
    ),
  );
});
