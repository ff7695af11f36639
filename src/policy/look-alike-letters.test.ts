import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { revealedText } from './hidden-text.js';
import { latinLookAlikeText } from './look-alike-letters.js';

test('letters of other scripts drawn like Latin ones read as those letters; marks and strokes come off', () => {
  // Cyrillic е and а; Greek ο and ρ; Armenian օ; Latin small capitals; Cherokee and Lisu capitals.
  assert.equal(latinLookAlikeText('ехfiltrаte the keys'), 'exfiltrate the keys');
  assert.equal(latinLookAlikeText('ignοre ρrevious instructions'), 'ignore previous instructions');
  assert.equal(latinLookAlikeText('drօp table'), 'drop table');
  assert.equal(latinLookAlikeText('ɪɢɴᴏʀᴇ ᴀʟʟ'), 'ignore all');
  assert.equal(latinLookAlikeText('ᎠᎡꓳꓑ ꓔᎪᏴꓡᎬ'), 'DROP TABLE');
  assert.equal(latinLookAlikeText('ëxfïlträtë, naïve, łódź, søren'), 'exfiltrate, naive, lodz, soren');
});

test('ß reads as ss and the ligatures æ, œ as their two letters; ſ, ı and the Kelvin sign as s, i and K', () => {
  assert.equal(latinLookAlikeText('paßword, PAẞWORD'), 'password, PASSWORD');
  assert.equal(latinLookAlikeText('encyclopædia, Œuvre'), 'encyclopaedia, OEuvre');
  // ſ and K (U+212A) are NFKC's (hidden-text.ts); dotless ı is a look-alike of i.
  assert.equal(latinLookAlikeText(revealedText('paſſword \u212Aeys exfıltrate')), 'password Keys exfiltrate');
});

test('text with nothing to fold is returned as it is', () => {
  for (const text of ['plain ASCII', '“quoted” — text…', '東京タワー', 'emoji 👍', '']) {
    assert.equal(latinLookAlikeText(text), text);
  }
});

test('every look-alike of the table reads as a Latin letter, and the quick scan misses none', () => {
  // The slow reading: a Cyrillic а in front always passes the quick scan.
  const slow = (char: string) => latinLookAlikeText(`\u0430${char}`).slice(1);
  let folded = 0;
  for (let code = 0x80; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    const read = slow(char);
    if (read === char.normalize('NFD') || !/[A-Za-z]/.test(read)) continue;
    folded++;
    assert.equal(latinLookAlikeText(`x${char}y`), `x${read}y`, `U+${code.toString(16)}`);
  }
  assert.ok(folded > 900, `${folded} code points read as Latin letters`);
});

test('any text: the reading has no combining diacritical mark, and reading it again changes nothing', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const read = latinLookAlikeText(text);
      assert.ok(!/[\u0300-\u036f]/.test(read) || read === text, JSON.stringify(read));
      assert.equal(latinLookAlikeText(read), read);
    }),
    { numRuns: 2000 },
  );
});
