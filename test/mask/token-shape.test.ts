// separatedWords reads the parts of a token in place; it must judge as splitting it did.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { judgeToken, PATH_WORDS, separatedWords } from '../../src/mask/token-shape.js';

const VOWELS = new Set('aeiouAEIOU');

/** The former implementation: split on separators, then count letters per part. */
function reference(token: string): boolean {
  const pathWord = (part: string): boolean => {
    if (part.length < 2 || !/^(?:[a-z]+|[A-Z][a-z]+|[A-Z]+)$/.test(part)) return false;
    if (PATH_WORDS.has(part.toLowerCase())) return true;
    for (const ch of part) if (VOWELS.has(ch)) return true;
    return false;
  };
  const parts = token.split(/[-_/+.]+/).filter((p) => p.length > 0);
  if (parts.length < 2) return false;
  let wordy = 0;
  let letters = 0;
  for (const p of parts) {
    const l = p.replace(/[^A-Za-z]/g, '').length;
    letters += l;
    if (pathWord(p)) wordy += l;
  }
  return letters > 0 && wordy / letters >= 0.5;
}

test('separatedWords judges as splitting on separators did', () => {
  const unit = fc.constantFrom(...'-_/+.aeEbcXYZk9=', 'tmp', 'Usr', 'SSH', 'src', 'é', '\u{1F600}');
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 40 }), (token) => {
      assert.equal(separatedWords(token), reference(token));
    }),
    { numRuns: 5000 },
  );
  assert.equal(separatedWords('deployment/checkout-service-7d4b9c8f5d-x2z9q'), true);
  assert.equal(separatedWords('K2Yew+pLLPrV8WDXlI4RNwlUY5B7ebIGx2dmasMwwKVx'), false);
});

test('provider object ids are identifiers; the same body under another prefix, or with separators in it, is still judged', () => {
  const body = 'B9MBs8CjcvOU2jLn4n570S5qGJbxO'; // 29 base62 characters, as OpenAI's chat completion ids have
  assert.equal(judgeToken(`xx${body}q1`, '"id": "', 1)?.ruleId, 'high-entropy-token');
  for (const id of [
    `chatcmpl-${body}`,
    `msg_01${body.slice(0, 22)}`,
    `toolu_01${body.slice(0, 22)}`,
    `req_011C${body.slice(0, 20)}`,
  ]) {
    assert.equal(judgeToken(id, '"id": "', 1), null, id);
  }
  // Only the whole run is an id: a separator inside it, or a secret word's prefix, and it is judged.
  assert.equal(judgeToken(`chatcmpl-${body}_${body}`, '"id": "', 1)?.ruleId, 'key-material');
  assert.equal(judgeToken(`sk_${body}x7`, '', 1)?.ruleId, 'high-entropy-token');
});
