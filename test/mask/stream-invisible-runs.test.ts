// Invisible characters in a stream (zero-width spaces, joiners, soft hyphens) cost the stream masker
// no scanning: what it scans is the text as the scanner reads it, with them set aside. Work is
// counted (characters handed to the scanner), never timed. And the words before a token that
// whole-text masking reads are still read when invisible characters stand between them and it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createFingerprinter } from '../../src/mask/fingerprint.js';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { CompiledSet } from '../../src/mask/masker.js';
import { Scanner } from '../../src/mask/scanner.js';
import { createStreamMaskerFor, type StreamScanner } from '../../src/mask/stream-masker.js';

const masker = createMasker({ fingerprintKey: 'invisible-runs' });
const ZW = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'];

/** The built-in rules' stream scanner, counting the characters it is handed. */
function countingScanner(): { scanner: StreamScanner; work: () => number } {
  const scanner = new Scanner(BUILTIN_RULES, new Map(), new Set());
  const set = new CompiledSet(scanner, createFingerprinter('invisible-runs'), undefined, () => scanner);
  let chars = 0;
  const counting: StreamScanner = {
    window: set.window,
    readsInvisible: set.readsInvisible,
    holdFrom: (text, from) => {
      chars += text.length;
      return set.holdFrom(text, from);
    },
    scan: (text, from, horizon, pending) => {
      chars += text.length;
      return set.scan(text, from, horizon, pending);
    },
    render: (text, from, to, result) => set.render(text, from, to, result),
  };
  return { scanner: counting, work: () => chars };
}

/** Streams `pieces` and returns the output and the characters the scanner was handed. */
function streamWork(pieces: readonly string[]): { out: string; work: number } {
  const { scanner, work } = countingScanner();
  const s = createStreamMaskerFor(() => scanner);
  const out = pieces.map((p) => s.push(p)).join('') + s.end();
  return { out, work: work() };
}

const chars = (text: string) => [...text];

test('a long run of invisible characters after held text costs no scan per character', () => {
  for (const head of ['AKIA', 'password=', 'aaaa', '-----BEGIN ', 'Authorization: Bearer ', '']) {
    const text = head + '\u200b'.repeat(20_000);
    const { out, work } = streamWork(chars(text));
    assert.equal(out, masker.maskText(text));
    // One scan of the head at most per character of it, and one at the end; not one per space.
    assert.ok(
      work <= 4 * head.length * (head.length + 100) + 200,
      `${JSON.stringify(head)}: ${work} characters scanned`,
    );
  }
});

test('invisible characters between visible ones add nothing to the characters scanned', () => {
  // A PEM header holds back up to its longest match, so each letter is a scan of the held text:
  // that held text must be what the scanner reads, not the zero-width spaces between its letters.
  const letters = 'A'.repeat(600);
  const plain = streamWork(chars(`-----BEGIN ${letters}`));
  const spaced = `-----BEGIN ${[...letters].map((c) => '\u200b'.repeat(40) + c).join('')}`;
  const hidden = streamWork(chars(spaced));
  assert.equal(hidden.out, masker.maskText(spaced));
  assert.ok(hidden.work <= plain.work, `${hidden.work} characters scanned, ${plain.work} without the spaces`);
});

test('words before a bare token are read through invisible characters, streamed as whole', () => {
  const token = 'Xq7vP2mK9tR4wZ8bNc5d';
  const text = `my api key is: ${'\u200b'.repeat(200)}${token} ok`;
  const whole = masker.maskText(text);
  assert.ok(!whole.includes(token), whole);
  for (const piece of [1, 7, 64, 4096]) {
    const s = masker.createStreamMasker();
    let out = '';
    for (let i = 0; i < text.length; i += piece) out += s.push(text.slice(i, i + piece));
    assert.equal(out + s.end(), whole, `pieces of ${piece}`);
  }
});

test('random invisible runs in text with secrets, cut at random: streamed equals whole, work as without them', () => {
  const words = [
    'my api key is:',
    'AKIA',
    'IOSFODNN7EXAMPLE',
    'password=',
    'hunter2hunter2',
    'ok',
    ' ',
    '\n',
    'Xq7vP2mK9tR4wZ8bNc5d',
    'ghp_',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(...words), fc.nat({ max: 300 }), fc.constantFrom(...ZW)), {
        maxLength: 30,
      }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      (parts, sizes) => {
        const text = parts.map(([w, n, z]) => z.repeat(n) + w).join('');
        const pieces: string[] = [];
        for (let i = 0, k = 0; i < text.length; k++) {
          const size = sizes[k % sizes.length]!;
          pieces.push(text.slice(i, i + size));
          i += size;
        }
        const s = masker.createStreamMasker();
        const out = pieces.map((p) => s.push(p)).join('') + s.end();
        assert.equal(out, masker.maskText(text));
        // One character at a time, the scanner is handed what it would be without the invisibles.
        const plain = parts.map(([w]) => w).join('');
        assert.ok(streamWork(chars(text)).work <= streamWork(chars(plain)).work);
      },
    ),
    { numRuns: 60 },
  );
});
