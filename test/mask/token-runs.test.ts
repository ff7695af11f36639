// The token-run search skips text (it reads the last character of each 16-character window and
// looks back only before a long run): it must find exactly what reading every character finds.
// The reference below is the character loop the search replaced, kept here as the model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';
import { ALPHABETS, synth } from '../../src/mask/synthetic.js';
import {
  escapeLength,
  isRunChar,
  type RunCandidate,
  readBlock,
  runEnd,
  startsLine,
  TokenRunFinder,
} from '../../src/mask/token-runs.js';
import { judgeToken, LOOK_BEHIND, MIN_LABELLED } from '../../src/mask/token-shape.js';
import { generateTestKeys } from '../support/private-keys.js';

const LEADERS = '/-_+';
const AFTER = 16;

/** Whether a run ending at `e` ends its line: a break (real or escaped), the text's end, a quote or an END line. */
function endsItsLine(text: string, e: number): boolean {
  if (e >= text.length) return true;
  return /^(?:\n|\r|\\n|\\r|["'`]|-----)/.test(text.slice(e, e + 5));
}

/** The first secret block at or after `pos`, reading every character (the former TokenRunFinder.next). */
function referenceNext(enabled: ReadonlySet<string>, text: string, pos: number): RunCandidate | null {
  const n = text.length;
  let runStart = -1;
  for (let i = pos; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    if (isRunChar(c)) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart < 0) continue;
    let s = runStart;
    runStart = -1;
    if (i - s < MIN_LABELLED && ((c !== 10 && c !== 13 && c !== 92) || !startsLine(text, s))) continue;
    if (s > 0 && text.charCodeAt(s - 1) === 92) {
      const esc = escapeLength(text, s - 1);
      if (esc > 1) s = Math.min(i, s - 1 + esc);
    }
    // Leaders are kept on a whole line of 40 or more token characters (a block's body line).
    const lineEnd = runEnd(text, s);
    const bodyLine = lineEnd - s >= 40 && startsLine(text, s) && endsItsLine(text, lineEnd);
    if (
      (s === 0 || !isRunChar(text.charCodeAt(s - 1))) &&
      LEADERS.includes(text[s + 1] ?? ' ') &&
      LEADERS.includes(text[s]!) &&
      !bodyLine
    )
      while (s < i && LEADERS.includes(text[s]!)) s++;
    if (s >= i) continue;
    const e = runEnd(text, s);
    const block = readBlock(text, s, e);
    if (block.token.length >= MIN_LABELLED) {
      const before = text.slice(Math.max(0, block.start - LOOK_BEHIND), block.start);
      const verdict = judgeToken(block.token, before, block.lines, text.slice(block.end, block.end + AFTER));
      if (verdict !== null && enabled.has(verdict.ruleId)) {
        return { start: block.start, end: block.end, secret: block.token, verdict };
      }
    }
    if (block.lines === 1 && e < i) {
      runStart = e;
      i = e;
      while (i < n && isRunChar(text.charCodeAt(i))) i++;
      i--;
      continue;
    }
    i = Math.max(i, block.lines > 1 ? block.end : e) - 1;
  }
  return null;
}

function all(find: (text: string, pos: number) => RunCandidate | null, text: string, pos: number) {
  const out: RunCandidate[] = [];
  for (let at = pos, found = find(text, at); found !== null; found = find(text, at)) {
    out.push(found);
    at = found.end;
  }
  return out;
}

const ENABLED = new Set(['key-material', 'high-entropy-token']);

// Pieces that build blocks, escapes, markers, short first lines, padding and near misses.
const pieces = [
  synth(64, ALPHABETS.base64, 'tr-1'),
  synth(64, ALPHABETS.base64, 'tr-2'),
  synth(40, ALPHABETS.base64, 'tr-3'),
  synth(70, ALPHABETS.base64, 'tr-4'),
  synth(12, ALPHABETS.base64, 'tr-5'),
  synth(20, ALPHABETS.alnum, 'tr-6'),
  synth(33, ALPHABETS.alnum, 'tr-7'),
  synth(64, ALPHABETS.hex, 'tr-8'),
  synth(15, ALPHABETS.urlSafe, 'tr-9'),
  synth(17, ALPHABETS.urlSafe, 'tr-10'),
  'MIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEA',
  'abc',
  'n',
  'r',
  'rn',
  '//',
  '--',
  '==',
  '=',
  '\n',
  '\r\n',
  '\r',
  '\\n',
  '\\r\\n',
  '\\',
  '\\u0041',
  ' ',
  '    ',
  '\t',
  '> ',
  '# ',
  '// ',
  ' * ',
  '"',
  "'",
  ': ',
  '|',
  '-----END EC PRIVATE KEY-----',
  'the secret key is ',
  'token: ',
  'sha256:',
  'hello world. ',
];

test('the token-run search finds what reading every character finds', () => {
  const finder = new TokenRunFinder(ENABLED);
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.nat(), (parts, seed) => {
      const text = parts.join('');
      const pos = text.length === 0 ? 0 : seed % (text.length + 1);
      const expected = all((t, p) => referenceNext(ENABLED, t, p), text, pos);
      assert.deepEqual(
        all((t, p) => finder.next(t, p), text, pos),
        expected,
      );
    }),
    { numRuns: 3000 },
  );
});

test('the token-run search agrees on random characters of the token, gap and escape sets', () => {
  const finder = new TokenRunFinder(ENABLED);
  const units = [...'Ab9+/_-=n r\\\n\r\t>#*"\':|x0'];
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...units), maxLength: 400 }), fc.nat(), (text, seed) => {
      const pos = seed % (text.length + 1);
      assert.deepEqual(
        all((t, p) => finder.next(t, p), text, pos),
        all((t, p) => referenceNext(ENABLED, t, p), text, pos),
      );
    }),
    { numRuns: 3000 },
  );
});

test('the token-run search agrees on short first lines before full lines, across every kind of gap', () => {
  const finder = new TokenRunFinder(ENABLED);
  const line = fc.constantFrom(...pieces.slice(0, 11), 'abc', 'Zq9', synth(39, ALPHABETS.base64, 'tr-39'));
  const block = fc
    .tuple(
      fc.constantFrom('', '\n', '"', ': ', '> ', '|', 'x ', '\\n'),
      line,
      fc.array(
        fc.tuple(
          fc.constantFrom('\n', '\r\n', '\r', '\\n', '\\r\\n', '\r\\n', ' '),
          fc.constantFrom('', '  ', '\t', '      '),
          fc.constantFrom('', '> ', '# ', '// ', ' * ', '//', '>', '*  '),
          line,
        ),
        { maxLength: 4 },
      ),
      fc.constantFrom('', '\n', '"', '==', '=\n', '\n-----END RSA PRIVATE KEY-----'),
    )
    .map(([lead, first, rest, tail]) => lead + first + rest.map((r) => r.join('')).join('') + tail);
  fc.assert(
    fc.property(fc.array(block, { minLength: 1, maxLength: 4 }), fc.nat(), (blocks, seed) => {
      const text = blocks.join('');
      const pos = seed % 3 === 0 ? 0 : seed % (text.length + 1);
      assert.deepEqual(
        all((t, p) => finder.next(t, p), text, pos),
        all((t, p) => referenceNext(ENABLED, t, p), text, pos),
      );
    }),
    { numRuns: 3000 },
  );
});

test('a run longer than a piece is judged in pieces, as reading every character does', () => {
  const finder = new TokenRunFinder(ENABLED);
  const long = synth(140_000, ALPHABETS.base64, 'tr-long');
  for (const text of [
    long,
    `x ${long}\n${synth(64, ALPHABETS.base64, 'tr-x')}`,
    `${long.slice(0, 65_540)}\n`,
  ]) {
    assert.deepEqual(
      all((t, p) => finder.next(t, p), text, 0),
      all((t, p) => referenceNext(ENABLED, t, p), text, 0),
    );
  }
});

test('a key body line that begins with two leader characters (`++`, `//`, `+/`) is masked whole', () => {
  const masker = createMasker({ fingerprintKey: 'leaders' });
  for (const key of generateTestKeys()) {
    const lines = key.bodyLines.slice(0, 3);
    if (lines.length < 2 || lines[0]!.length < 40) continue;
    for (const leaders of ['++', '//', '+/', '/+']) {
      const first = leaders + lines[0]!.slice(2);
      const block = [first, ...lines.slice(1)].join('\n');
      for (const text of [
        block,
        `Here it is:\n${block}\n${key.endLine}`,
        `> ${block.replace(/\n/g, '\n> ')}`,
      ]) {
        const { findings } = masker.scanText(text);
        const start = text.indexOf(first);
        assert.ok(
          findings.some((f) => f.start <= start && f.end >= start + first.length),
          `${key.kind}, ${leaders}: ${JSON.stringify(masker.scanText(text).text.slice(0, 120))}`,
        );
      }
    }
  }
  // Paths and flags keep their leaders outside a finding.
  assert.equal(masker.scanText('--verbose --output-format=json').findings.length, 0);
});

test('a key written in SQL `-- ` comment lines is judged as one block, not line by line', () => {
  // Judged alone, the line holding an RSA key's `…IDAQABAoIBA…` passed as ordinary in about 2% of
  // keys; judged with its block it never does.
  const masker = createMasker({ fingerprintKey: 'sql-comments' });
  for (const key of generateTestKeys()) {
    const lines = key.bodyLines.filter((l) => l.length >= 40);
    if (lines.length < 3) continue;
    const text = `SELECT 1 AS one\n${lines.map((l) => `-- ${l}`).join('\n')}\n`;
    const { findings } = masker.scanText(text);
    const first = text.indexOf(lines[0]!);
    const last = text.indexOf(lines.at(-1)!) + lines.at(-1)!.length;
    assert.ok(
      findings.some((f) => f.start <= first && f.end >= last),
      `${key.kind}: ${JSON.stringify(masker.scanText(text).text.slice(0, 200))}`,
    );
  }
  // A flag after a comment's dashes stays a flag.
  assert.equal(masker.scanText('-- run with --verbose --output-format=json').findings.length, 0);
});
