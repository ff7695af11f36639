// A known secret spelled with escapes other than JSON's (src/mask/escape-kinds.ts): a C, Python or
// JavaScript string literal's `\x73` and `\u{73}`, HTML's `&#115;`, `&#x73;` and `&amp;`, and
// percent-encoding of every character (`%73`, `%u0073`), alone or mixed with plain characters and
// JSON's `\u` escapes. Each is masked whole, with the raw value's fingerprint, by the record's
// masker and by the stream masker of known secrets alone, split at every offset; text whose
// escapes spell other characters is left as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';

const SECRET = "sk-Écrin<Held>&Co's/0123";
const masker = createMasker({ fingerprintKey: 'known-escaped-kinds-key-0123456789' });
masker.addKnownSecret(SECRET, 'upstream');
const plainMask = masker.maskKnownSecrets(SECRET);

type Kind = (c: string) => string;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** UTF-8 bytes, each written by `byte`. */
const bytesOf = (c: string, byte: (b: number) => string) => [...Buffer.from(c, 'utf8')].map(byte).join('');
const KINDS: Record<string, Kind> = {
  'C/Python \\x of UTF-8 bytes': (c) => bytesOf(c, (b) => `\\x${hex(b, 2)}`),
  'JavaScript \\x (Latin-1) or \\u': (c) =>
    c.charCodeAt(0) < 256 ? `\\x${hex(c.charCodeAt(0), 2)}` : `\\u${hex(c.charCodeAt(0), 4)}`,
  'JavaScript \\u{…}': (c) => `\\u{${hex(c.codePointAt(0)!, 1)}}`,
  'HTML decimal': (c) => `&#${c.codePointAt(0)};`,
  'HTML hex, upper case': (c) => `&#X${hex(c.codePointAt(0)!, 1).toUpperCase()};`,
  'HTML hex, zero-padded': (c) => `&#x${hex(c.codePointAt(0)!, 4)};`,
  'percent of UTF-8 bytes': (c) => bytesOf(c, (b) => `%${hex(b, 2)}`),
  'percent, upper case': (c) => bytesOf(c, (b) => `%${hex(b, 2).toUpperCase()}`),
  '%u': (c) => `%u${hex(c.charCodeAt(0), 4)}`,
};

const spell = (kind: Kind, pick: (i: number) => boolean = () => true) =>
  [...SECRET].map((c, i) => (pick(i) ? kind(c) : c)).join('');

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

test('a known secret spelled with each kind of escape is masked whole, with the raw value fingerprint, as in a stream', () => {
  for (const [name, kind] of Object.entries(KINDS)) {
    const spelled = spell(kind);
    for (const text of [`<p>${spelled}</p>`, `{"echo":"${spelled}"}`, `?q=${spelled}&n=1`]) {
      const masked = masker.maskKnownSecrets(text);
      assert.ok(masked.includes(plainMask), `${name}: ${masked}`);
      assert.ok(!masked.includes(spelled.slice(0, 8)), `${name}: ${masked}`);
      assert.equal(masker.maskText(text), masked, name);
      for (let i = 0; i <= text.length; i++) streamedEqualsWhole(text, [i]);
    }
  }
});

test('HTML with only the characters an HTML encoder escapes written as references is masked', () => {
  const html = SECRET.replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll("'", '&#39;');
  const text = `<input value="${html}">`;
  const masked = masker.maskKnownSecrets(text);
  assert.equal(masked, `<input value="${plainMask}">`);
  for (let i = 0; i <= text.length; i++) streamedEqualsWhole(text, [i]);
});

test('the escapes read inside a JSON string, and a URL encoded twice', () => {
  const inJson = JSON.stringify({
    body: `<b>${spell(KINDS['HTML decimal']!)}</b>`,
    repr: spell(KINDS['C/Python \\x of UTF-8 bytes']!),
  });
  const masked = masker.maskKnownSecrets(inJson);
  assert.equal(masked.split(plainMask).length, 3, masked);
  const twice = spell(KINDS['percent of UTF-8 bytes']!).replaceAll('%', '%25');
  assert.ok(masker.maskKnownSecrets(`GET /cb?u=${twice}`).includes(plainMask));
  // A secret with no `%`, `&` or `\\` in any spelling: the escaped introducer starts the reading.
  const plain = createMasker({ fingerprintKey: 'known-escaped-kinds-key-0123456789' });
  plain.addKnownSecret('sk-live-Abc123xyz789', 'upstream');
  const refs = [...'sk-live-Abc123xyz789'].map((c) => `&#${c.charCodeAt(0)};`).join('');
  for (const text of [
    refs.replaceAll('&', '\\u0026'),
    refs.replaceAll('&', '%26').replaceAll('#', '%23').replaceAll(';', '%3B'),
    [...'sk-live-Abc123xyz789'].map((c) => `%25${hex(c.charCodeAt(0), 2)}`).join(''),
  ]) {
    const masked = plain.maskKnownSecrets(`<a>${text}</a>`);
    assert.match(masked, /^<a>\[MASKED:known-secret:[0-9a-f]{6}\]<\/a>$/, text);
  }
});

test('escapes that spell other text are left as written', () => {
  const texts = [
    '<p>caf&eacute; &amp; co &#8212; 100% &#x2014; &lt;b&gt;</p>',
    'GET /search?q=a%20b%2Fc%3Fd&x=%E2%9C%93 HTTP/1.1',
    "b'\\x00\\x01\\xff' '\\u{1F600}' \\x73\\x6b",
    spell(KINDS['HTML decimal']!).slice(0, -20),
    `${spell(KINDS['percent of UTF-8 bytes']!, (i) => i < 10).slice(0, 40)} ${SECRET.slice(10)}`,
    '&#115&#107 %7 %u00 \\x7 &#x; &#; & % \\',
  ];
  for (const text of texts) {
    assert.equal(masker.maskKnownSecrets(text), text);
    assert.equal(masker.maskText(text).includes('known-secret'), false, text);
  }
});

test('property: any mix of kinds and plain characters is masked, streamed at random cuts as whole', () => {
  const kinds = [...Object.values(KINDS), (c: string) => c, (c: string) => `\\u${hex(c.charCodeAt(0), 4)}`];
  const around = fc.string({
    unit: fc.constantFrom('a', ' ', '"', '\\', 'x', 'u', '0', '7', 'é', '&', '#', ';', '%', '{'),
    maxLength: 12,
  });
  const picks = fc.array(fc.nat(kinds.length - 1), {
    minLength: [...SECRET].length,
    maxLength: [...SECRET].length,
  });
  fc.assert(
    fc.property(picks, around, around, (chosen, before, after) => {
      const spelled = [...SECRET].map((c, i) => kinds[chosen[i]!]!(c)).join('');
      const text = `${before} ${spelled} ${after}`;
      const masked = masker.maskKnownSecrets(text);
      assert.ok(masked.includes(plainMask), text);
      assert.ok(!masked.includes(spelled), text);
    }),
  );
  fc.assert(
    fc.property(picks, around, fc.array(fc.nat(), { maxLength: 6 }), (chosen, noise, cuts) => {
      const text = `${noise}${[...SECRET].map((c, i) => kinds[chosen[i]!]!(c)).join('')}${noise}`;
      streamedEqualsWhole(
        text,
        cuts.map((c) => c % (text.length + 1)),
      );
    }),
  );
});

test('property: text dense with escapes is read a window at a time, every secret in it found, streamed as whole', () => {
  // Fillers whose escapes spell characters the secret holds, so the escapes form one long cluster
  // (read in windows of a few KiB since 7 December: decoded to its end after each match before).
  const fillers = ['Jerry&#39;s page &amp; ', 'it\\u0027s caf\\u00e9 ', 'a%2Fb%27c ', "b'\\x2f\\x27' "];
  const kinds = [...Object.values(KINDS), (c: string) => c];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(400), fc.nat(kinds.length - 1)), { minLength: 1, maxLength: 12 }),
      fc.nat(fillers.length - 1),
      fc.array(fc.nat(), { maxLength: 4 }),
      (secrets, filler, cuts) => {
        let text = '';
        for (const [gap, kind] of secrets)
          text += `${fillers[filler]!.repeat(gap)}${[...SECRET].map((c) => kinds[kind]!(c)).join('')} `;
        const masked = masker.maskKnownSecrets(text);
        assert.equal(masked.split(plainMask).length - 1, secrets.length);
        streamedEqualsWhole(
          text,
          cuts.map((c) => c % (text.length + 1)),
        );
      },
    ),
    { numRuns: 40 },
  );
});
