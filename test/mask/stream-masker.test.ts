// The stream masker's output, concatenated, equals masking the whole text at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { ALPHABETS, synth } from '../../src/mask/synthetic.js';

const masker = createMasker({ fingerprintKey: 'stream' });
const secrets = BUILTIN_RULES.flatMap((r) => r.vectors!.hits.map((h) => h.text));
const longPem = `-----BEGIN PRIVATE KEY-----\n${synth(9000, ALPHABETS.base64, 'long-pem').replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----`;

function streamed(chunks: readonly string[]): string {
  const s = masker.createStreamMasker('llm');
  return chunks.map((c) => s.push(c)).join('') + s.end();
}

function filler(n: number, seed: string): string {
  const words = ['the', 'query', 'returned', 'rows', 'for', 'user', 'id', '42', 'and', 'then', '\n', 'ok;'];
  let out = '';
  let i = 0;
  const pick = synth(n, ALPHABETS.digits, seed);
  while (out.length < n) out += `${words[(Number(pick[i++ % n]) + i) % words.length]} `;
  return out;
}

test('splitting a text with every kind of secret at every offset changes nothing', () => {
  // Longer than the window, with secrets on both sides of it.
  const window = masker.streamWindow('llm');
  const text = `${secrets.join('\n')}\n${filler(window, 'a')}${secrets.slice(0, 8).join(' ')}`;
  assert.ok(text.length > window);
  const whole = masker.maskText(text);
  for (let i = 0; i <= text.length; i += 1) {
    const out = streamed([text.slice(0, i), text.slice(i)]);
    if (out !== whole) assert.equal(out, whole, `split at ${i}`);
  }
});

test('random chunkings (as SSE deltas) equal whole-text masking, long PEM bodies included', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...secrets, longPem, filler(300, 'b'), ' ', '\n'), { maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }),
      (parts, sizes) => {
        const text = parts.join(' ');
        const chunks: string[] = [];
        let pos = 0;
        for (let i = 0; pos < text.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(text.slice(pos, pos + n));
          pos += n;
        }
        assert.equal(streamed(chunks), masker.maskText(text));
      },
    ),
    { numRuns: 150 },
  );
});

test('the stream holds back at most the window', () => {
  const s = masker.createStreamMasker('llm');
  const window = masker.streamWindow('llm');
  const text = filler(3 * window, 'c');
  const emitted = s.push(text);
  assert.ok(text.length - emitted.length <= window);
  assert.equal(emitted + s.end(), masker.maskText(text));
});
