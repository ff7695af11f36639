// The console's reading of names that may pass for others (web/src/name-scripts.ts): a name that
// mixes scripts, or holds look-alike letters or compatibility forms, is flagged with the characters
// to name; ordinary names (accented, wholly in one script, the mixes Japanese, Chinese and Korean
// write) are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { flagName } from '../../web/src/name-scripts.js';

test('ordinary names are not flagged', () => {
  for (const name of [
    'audrey',
    'audrey@example.com',
    'Zoë Saldaña',
    'José Müller-Łukasz',
    'Işık',
    'Сергей',
    'анна',
    'Δημήτρης',
    'ミハイル',
    '山田太郎',
    '山田たろう',
    'Tanaka 太郎',
    '김민준',
    'محمد',
    'דוד',
    'svc-etl_01',
    'ＡＢＣ株式会社',
    '张三（研发）',
    'Mar\u02BCiana',
    'Ka\u02BBiulani',
    '',
  ]) {
    assert.equal(flagName(name), null, name);
  }
});

test('a Cyrillic letter in a Latin name is named, with what it looks like', () => {
  assert.deepEqual(flagName('\u0430udrey'), {
    mixedScripts: ['Cyrillic', 'Latin'],
    readsAs: null,
    characters: [{ char: '\u0430', code: 'U+0430', script: 'Cyrillic', looksLike: 'a' }],
  });
  // In a mostly Cyrillic name the Latin letter is the odd one.
  assert.deepEqual(flagName('C\u0435\u0440\u0433\u0435\u0439')?.characters, [
    { char: 'C', code: 'U+0043', script: 'Latin', looksLike: null },
  ]);
});

test('a name whose every letter looks Latin reads as the Latin name', () => {
  const flags = flagName('\u0430\u0501m\u0456n'.replace('m', '\u043C'));
  assert.ok(flags);
  // `м` looks like no lower-case Latin letter: the name is not wholly a look-alike, and not mixed.
  assert.equal(flagName('\u0430\u0501\u043C\u0456\u043F'), null);
  const cope = flagName('\u0441\u043E\u0440\u0435');
  assert.equal(cope?.readsAs, 'cope');
  assert.deepEqual(
    cope?.characters.map((c) => c.code),
    ['U+0441', 'U+043E', 'U+0440', 'U+0435'],
  );
});

test('compatibility forms, Latin impostors and punctuation look-alikes are named', () => {
  assert.deepEqual(flagName('\uFF41udrey')?.characters, [
    { char: '\uFF41', code: 'U+FF41', script: 'Latin', looksLike: 'a' },
  ]);
  assert.equal(flagName('\u212Aate')?.characters[0]?.looksLike, 'K');
  assert.equal(flagName('\u0251udrey')?.characters[0]?.looksLike, 'a');
  assert.equal(flagName('audrey\uFF20example.com')?.characters[0]?.looksLike, '@');
  assert.equal(flagName('alice\u2010ops')?.characters[0]?.looksLike, '-');
});

const LATIN = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzéüøłß');
const CYRILLIC = fc.constantFrom(...'абвгдеёжзийклмнопрстуфхцчшщъыьэюя');
const SHARED = fc.constantFrom(...'0123456789.-_@ ');

test('a name in one script (with digits and punctuation) is never flagged', () => {
  for (const letters of [LATIN, fc.constantFrom(...'бвгджзйлмнптфцчшщыэюя')]) {
    fc.assert(
      fc.property(fc.array(fc.oneof(letters, SHARED), { maxLength: 40 }), (chars) => {
        assert.equal(flagName(chars.join('')), null);
      }),
    );
  }
});

test('a Latin name with any Cyrillic letter in it is flagged, naming every letter of the smaller script', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(LATIN, SHARED), { maxLength: 30 }),
      fc.array(CYRILLIC, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
      (latin, cyrillic, at) => {
        const chars = [...latin];
        for (const [i, c] of cyrillic.entries()) chars.splice(at[i]! % (chars.length + 1), 0, c);
        const name = chars.join('');
        const latinLetters = latin.filter((c) => /\p{L}/u.test(c)).length;
        if (latinLetters === 0) return;
        const flags = flagName(name);
        assert.ok(flags, name);
        assert.deepEqual(flags.mixedScripts?.slice().sort(), ['Cyrillic', 'Latin']);
        const named = new Set(flags.characters.map((c) => c.char));
        const odd = latinLetters >= cyrillic.length ? cyrillic : latin.filter((c) => /\p{L}/u.test(c));
        for (const c of odd) assert.ok(named.has(c), `${name}: ${c} named`);
      },
    ),
  );
});
