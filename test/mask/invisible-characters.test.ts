// Secrets split by characters a reader cannot see (zero-width spaces, soft hyphens, word joiners,
// variation selectors, bidi controls) are masked as if those characters were not there, whole or
// streamed, and the characters inside a secret go with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { visibleReading } from '../../src/mask/invisible-characters.js';

const masker = createMasker({ fingerprintKey: 'invisible' });
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const strip = (text: string) => text.replace(INVISIBLE, '');
const HIDERS = ['\u200b', '\u00ad', '\u2060', '\u200d', '\ufeff', '\ufe0f', '\u202e', '\u{e0041}', '\u180e'];

const hits = BUILTIN_RULES.flatMap((rule) =>
  (rule.vectors?.hits ?? []).map((hit) => ({
    rule: rule.id,
    text: hit.text,
    secret: hit.secret ?? hit.text,
  })),
).filter((h) => strip(h.text) === h.text);

/** `text` with `hider` put in before each offset of `at`. */
function hidden(text: string, at: readonly number[], hider: string): string {
  let out = '';
  let pos = 0;
  for (const i of [...at].sort((a, b) => a - b)) {
    out += text.slice(pos, i) + hider;
    pos = i;
  }
  return out + text.slice(pos);
}

function streamed(chunks: readonly string[]): string {
  const s = masker.createStreamMasker('llm');
  return chunks.map((c) => s.push(c)).join('') + s.end();
}

test('a secret split by an invisible character at any offset is masked as the secret itself', () => {
  let checked = 0;
  for (const hit of hits) {
    const text = `note: ${hit.text} ok`;
    const plain = masker.scanText(text);
    for (let at = 0; at <= text.length; at++) {
      const hider = HIDERS[at % HIDERS.length]!;
      const masked = masker.maskText(hidden(text, [at], hider));
      if (strip(masked) !== plain.text)
        assert.equal(strip(masked), plain.text, `${hit.rule}, ${JSON.stringify(hider)} at ${at}`);
      // A hider inside a secret goes with it.
      if (plain.findings.some((f) => f.start < at && at < f.end)) {
        assert.ok(
          !masked.includes(hider),
          `${hit.rule}: ${JSON.stringify(hider)} at ${at} stayed: ${masked}`,
        );
      }
      checked++;
    }
  }
  assert.ok(checked > 1000, `${checked} cases`);
});

test('many invisible characters anywhere: the reading masks as the plain text does', () => {
  const parts = hits.map((h) => h.text);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...parts, 'the rows', ' ', '\n', 'naïve café 東京'), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HIDERS)), { maxLength: 12 }),
      (chosen, hiders) => {
        const plain = chosen.join(' ');
        let text = plain;
        for (const [at, hider] of hiders) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + hider + text.slice(i);
        }
        // An insertion inside a surrogate pair would change the plain text itself.
        fc.pre(strip(text) === plain);
        assert.equal(strip(masker.maskText(text)), masker.maskText(plain));
      },
    ),
    { numRuns: 300 },
  );
});

test('streamed in pieces, a secret split by invisible characters masks as it does whole', () => {
  const secret = hits.find((h) => h.rule === 'openai-key')!.secret;
  const text = `Found it: ${hidden(secret, [3, 10, 11, 30], '\u200b')} and ${hidden(secret, [20], '\u00ad')} done`;
  const whole = masker.maskText(text);
  assert.ok(!strip(whole).includes(secret.slice(3, 12)), whole);
  for (let i = 0; i <= text.length; i++) {
    const out = streamed([text.slice(0, i), text.slice(i)]);
    if (out !== whole) assert.equal(out, whole, `split at ${i}`);
  }
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
      const chunks: string[] = [];
      for (let pos = 0, i = 0; pos < text.length; i++) {
        const n = sizes[i % sizes.length]!;
        chunks.push(text.slice(pos, pos + n));
        pos += n;
      }
      assert.equal(streamed(chunks), whole);
    }),
    { numRuns: 200 },
  );
});

test('text without invisible characters has no reading of its own', () => {
  for (const text of ['plain ASCII', 'naïve café, 東京, Ελληνικά', 'emoji 👍', 'عربى']) {
    assert.equal(visibleReading(text), null, text);
  }
});

test('the reading sets aside exactly the invisible characters, and maps each offset back', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const reading = visibleReading(text);
      const expected = text.replace(INVISIBLE, '');
      if (reading === null) {
        assert.equal(expected, text);
        return;
      }
      assert.equal(reading.text, expected);
      for (let i = 0; i < reading.text.length; i++) {
        const at = reading.toOriginal(i);
        assert.equal(text[at], reading.text[i]);
        assert.equal(reading.toReading(at), i);
        assert.equal(reading.toOriginalEnd(i + 1), at + 1);
      }
      assert.equal(reading.toOriginal(reading.text.length), text.length);
      assert.equal(reading.toReading(text.length), reading.text.length);
    }),
    { numRuns: 3000 },
  );
});

test('every format and default-ignorable code point is set aside (the quick check misses none)', () => {
  const missed: string[] = [];
  for (let code = 0x80; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    if (strip(char) === char) continue;
    if (visibleReading(`a${char}b`)?.text !== 'ab') missed.push(`U+${code.toString(16)}`);
  }
  assert.deepEqual(missed, []);
});
