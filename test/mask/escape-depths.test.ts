// A known secret spelled with HTML's named references (src/mask/html-named-references.ts) and
// escaped up to three deep (src/mask/json-escapes.ts): found whole, with the raw value's
// fingerprint, and streamed split at every offset exactly as whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeAt } from '../../src/mask/escape-kinds.js';
import { NAMED_REFERENCES } from '../../src/mask/html-named-references.js';
import { createMasker } from '../../src/mask/index.js';
import { decodeStretch } from '../../src/mask/json-escapes.js';

const SECRET = 'svc-Key(Held)/Co.<ü0123>';
const masker = createMasker({ fingerprintKey: 'k', knownSecrets: [{ value: SECRET, label: 's' }] });
const whole = masker.maskKnownSecrets(SECRET);

/** A name for each character that has one (the first in the table), as PHP's ENT_HTML5 writes it. */
const NAME = new Map<string, string>();
for (const [name, c] of NAMED_REFERENCES) if (!NAME.has(c) && name.length <= 6) NAME.set(c, name);

/** Each character plain, as a named reference, or as a decimal one. */
const spelled = fc
  .array(fc.constantFrom('plain', 'named', 'decimal'), { minLength: SECRET.length, maxLength: SECRET.length })
  .map((ways) =>
    [...SECRET]
      .map((c, i) =>
        ways[i] === 'named' && NAME.has(c)
          ? `&${NAME.get(c)};`
          : ways[i] === 'decimal'
            ? `&#${c.codePointAt(0)};`
            : c,
      )
      .join(''),
  );

const htmlOnce = (s: string) => s.replaceAll('&', '&amp;');
const jsonOnce = (s: string) => JSON.stringify(s).slice(1, -1);

test('every name in the table is read as the character it spells', () => {
  for (const [name, c] of NAMED_REFERENCES) {
    const read = escapeAt(`&${name};`, 0);
    assert.deepEqual(
      read && { width: read.width, text: read.text },
      { width: name.length + 2, text: c },
      name,
    );
  }
  assert.equal(escapeAt('&notaname;', 0), null);
  assert.equal(escapeAt('&lpar', 0), null);
});

test('a stretch is read up to three deep, each offset mapped back to where its spelling starts', () => {
  const raw = 'a&amp;amp;lt;b';
  const s = decodeStretch(raw, 0, raw.length);
  assert.equal(s.text, 'a<b');
  assert.deepEqual([0, 1, 2, 3].map(s.toRaw), [0, 1, 13, 14]);
  assert.ok(s.hasSpelledEscape(1, 2));
  assert.ok(!s.hasSpelledEscape(0, 1));
  // A fourth reading is not made: `&amp;amp;amp;lt;` reads as `&lt;`.
  assert.equal(decodeStretch('&amp;amp;amp;lt;', 0, 16).text, '&lt;');
  assert.equal(decodeStretch('x &amp;amp;l', 0, 12).openAt(), 2);
});

test('property: a secret of named references, escaped once to three deep, is masked whole and at every cut', () => {
  fc.assert(
    fc.property(
      spelled,
      fc.array(fc.constantFrom('html', 'json'), { minLength: 0, maxLength: 2 }),
      fc.constantFrom('', 'x &amp; y ', '&lt;p&gt;', '\\"'),
      (spelling, wraps, around) => {
        let text = spelling;
        for (const w of wraps) text = w === 'html' ? htmlOnce(text) : jsonOnce(text);
        text = `${around}${text}${around}`;
        const out = masker.maskKnownSecrets(text);
        assert.ok(out.includes(whole), `${text} → ${out}`);
        for (let cut = 1; cut < text.length; cut++) {
          const s = masker.createKnownSecretsMasker();
          const streamed = s.push(text.slice(0, cut)) + s.push(text.slice(cut)) + s.end();
          assert.equal(streamed, out, `cut at ${cut}: ${text}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('property: streamed in pieces of every size as whole, with other text around', () => {
  fc.assert(
    fc.property(
      spelled,
      fc.integer({ min: 1, max: 9 }),
      fc.string({ maxLength: 12 }),
      (spelling, size, noise) => {
        const text = `${noise}${htmlOnce(htmlOnce(spelling))} ${noise}`;
        const s = masker.createKnownSecretsMasker();
        let streamed = '';
        for (let i = 0; i < text.length; i += size) streamed += s.push(text.slice(i, i + size));
        streamed += s.end();
        assert.equal(streamed, masker.maskKnownSecrets(text));
        assert.ok(streamed.includes(whole), streamed);
      },
    ),
    { numRuns: 150 },
  );
});
