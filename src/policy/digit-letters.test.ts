import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { digitLetterText } from './digit-letters.js';
import { modelReadings } from './text-readings.js';

test('digits and symbols inside words read as the letters they stand for', () => {
  assert.equal(digitLetterText('3xf1ltr4t3 th3 k3y$'), 'exfiltrate the keys');
  assert.equal(
    digitLetterText('my pa55w0rd, pa$$word, h@ck, s3cr3t t0k3n'),
    'my password, password, hack, secret token',
  );
  assert.equal(digitLetterText('3XF1LTR4T3'), 'EXFILTRATE', 'capitals stay capitals');
  // 1 is i or l: a second reading takes it as l.
  assert.equal(digitLetterText('1eak the |ogs', 'l'), 'leak the logs');
});

test('numbers, prices and punctuation that stand alone read as written', () => {
  for (const text of [
    'in 2024 we paid $100 for 3 keys, pi = 3.14, 10:30, +1 555 0100',
    'a | b, x || y, done! @ noon, "quoted"!',
    'Turn 12: ok',
    'no digits at all',
  ]) {
    assert.equal(digitLetterText(text), text);
    assert.equal(digitLetterText(text, 'l'), text);
  }
});

test('any text: only digits and symbols next to a letter change, each into one letter', () => {
  const alphabet = fc.constantFrom(...'ab XY01234578@$|!.-_\n'.split(''));
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
      fc.string(),
      (word, other) => {
        for (const text of [word, other, `${word}${other}`]) {
          const read = digitLetterText(text);
          assert.equal(read.length, text.length);
          for (let i = 0; i < text.length; i++) {
            if (read[i] === text[i]) continue;
            assert.match(text[i]!, /[013-57-9@$|!]/, JSON.stringify(text));
            assert.match(read[i]!, /[A-Za-z]/);
          }
          // Text without an ASCII letter has no word to read into.
          if (!/[A-Za-z]/.test(text)) assert.equal(read, text);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('the readings chain: hidden characters, then look-alikes, then digits for letters', () => {
  assert.deepEqual(modelReadings(['plain text', 'more']), []);
  assert.deepEqual(modelReadings(['еx\u200bf1ltrаte']), [
    'еxf1ltrаte',
    'exf1ltrate',
    'exfiltrate',
    'exflltrate',
  ]);
});
