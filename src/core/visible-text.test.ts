import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HIDDEN_OR_CONTROL, hasVisibleText } from './visible-text.js';

/** Characters that draw nothing: whitespace, controls, bidi and zero-width format characters. */
const INVISIBLE = [
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\x00',
  '\x1b',
  '\x7f',
  '\x85',
  '\x9b',
  '\u00a0',
  '\u00ad',
  '\u034f',
  '\u061c',
  '\u115f',
  '\u1160',
  '\u180e',
  '\u2000',
  '\u200a',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202e',
  '\u202f',
  '\u205f',
  '\u2060',
  '\u2063',
  '\u2066',
  '\u2069',
  '\u2800',
  '\u3000',
  '\u3164',
  '\ufe0f',
  '\ufeff',
  '\uffa0',
  '\ud800', // a lone high surrogate: two of them never pair into a character
  '\u{e0001}',
  '\u{e0041}',
  '\u{e0100}',
];

const VISIBLE = ['a', 'Z', '0', '.', '-', '?', 'é', 'ß', 'Ж', '日', 'ع', '\u{1F600}', '€', '∑', '_'];

const invisibleText = fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 30 }).map((a) => a.join(''));

/** Invisible noise that cannot pair with a lone surrogate of the text it is put around. */
const noiseText = fc
  .array(fc.constantFrom(...INVISIBLE.filter((c) => !/\p{Cs}/u.test(c))), { maxLength: 30 })
  .map((a) => a.join(''));

test('text made only of whitespace, controls and invisible characters has nothing visible', () => {
  assert.equal(hasVisibleText(''), false);
  assert.equal(hasVisibleText('\u200b'), false, 'one zero-width space is no reason');
  fc.assert(
    fc.property(invisibleText, (text) => {
      assert.equal(hasVisibleText(text), false, JSON.stringify(text));
    }),
    { numRuns: 1000 },
  );
});

test('one visible character anywhere among invisible ones is enough', () => {
  fc.assert(
    fc.property(invisibleText, fc.constantFrom(...VISIBLE), invisibleText, (before, char, after) => {
      assert.equal(hasVisibleText(before + char + after), true, JSON.stringify(before + char + after));
    }),
    { numRuns: 1000 },
  );
});

test('adding or removing invisible characters never changes the answer', () => {
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });
  fc.assert(
    fc.property(anyText, noiseText, (text, noise) => {
      const stripped = Array.from(text)
        .filter((c) => !HIDDEN_OR_CONTROL.test(c) && !/\s/u.test(c))
        .join('');
      assert.equal(hasVisibleText(text), hasVisibleText(stripped));
      assert.equal(hasVisibleText(noise + text + noise), hasVisibleText(text));
    }),
    { numRuns: 2000 },
  );
});

test('every character the pattern calls hidden is one a terminal acts on or a reader cannot see', () => {
  for (const c of ['\x1b', '\x07', '\x9b', '\u202e', '\u2067', '\u200b', '\ufeff', '\u2028', '\ud800'])
    assert.equal(HIDDEN_OR_CONTROL.test(c), true, JSON.stringify(c));
  for (const c of ['a', ' ', 'é', '\u{1F600}', '\\', '日']) assert.equal(HIDDEN_OR_CONTROL.test(c), false, c);
});
