import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inertBlock, inertJson, inertLine } from './inert-text.js';

/** What a terminal acts on or a reader cannot see, listed by hand rather than by Unicode property. */
const FORBIDDEN_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f], // C0 controls, ESC among them
  [0x7f, 0x9f], // DEL and the C1 controls (CSI 0x9B, OSC 0x9D)
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x2028, 0x202e], // line and paragraph separators, bidi embeddings and overrides
  [0x2060, 0x2069], // word joiner, invisible operators, bidi isolates
  [0x3164, 0x3164], // Hangul filler
  [0xd800, 0xdfff], // surrogates (only lone ones can remain in a well-formed scan)
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // byte order mark, zero-width no-break space
  [0xffa0, 0xffa0], // halfwidth Hangul filler
  [0xe0000, 0xe007f], // tags
  [0xe0100, 0xe01ef], // variation selectors supplement
];

function forbiddenAt(output: string, allowNewline: boolean): string | null {
  for (const char of output) {
    const cp = char.codePointAt(0)!;
    if (allowNewline && cp === 0x0a) continue;
    if (FORBIDDEN_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi))
      return `U+${cp.toString(16).toUpperCase()}`;
  }
  return null;
}

/** The documented escapes, read back. Throws on anything the renderer never writes. */
function decode(rendered: string): string {
  let out = '';
  for (let i = 0; i < rendered.length; i++) {
    const c = rendered[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = rendered[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else if (next === 't') out += '\t';
    else if (next === 'u' && rendered[i + 1] === '{') {
      const close = rendered.indexOf('}', i);
      const hex = rendered.slice(i + 2, close);
      assert.match(hex, /^[0-9A-F]+$/);
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i = close;
    } else throw new Error(`not an escape the renderer writes: \\${next}`);
  }
  return out;
}

const DANGEROUS = [
  '\x1b',
  '\x1b[2J',
  '\x1b]0;owned\x07',
  '\x1b]8;;https://evil.example\x1b\\',
  '\x07',
  '\x00',
  '\x7f',
  '\x9b',
  '\x9d',
  '\r',
  '\n',
  '\t',
  '\u202e',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u2028',
  '\ufeff',
  '\u061c',
  '\u{e0041}',
  '\ud800',
  '\udfff',
  '\\',
  '\\u{1B}',
  '\\n',
  'u{',
  '}',
];

/** Arbitrary strings: every code point (lone surrogates included) with the dangerous ones favoured. */
const untrusted = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc
    .array(fc.oneof(fc.constantFrom(...DANGEROUS), fc.string({ unit: 'binary', maxLength: 3 })), {
      maxLength: 20,
    })
    .map((parts) => parts.join('')),
);

test('one line: no control, escape, bidi or invisible character survives, line feeds included', () => {
  fc.assert(
    fc.property(untrusted, (text) => {
      const out = inertLine(text);
      assert.equal(forbiddenAt(out, false), null, JSON.stringify(out));
    }),
    { numRuns: 2000 },
  );
});

test('a block keeps its line feeds and nothing else that moves the cursor', () => {
  fc.assert(
    fc.property(untrusted, (text) => {
      const out = inertBlock(text);
      assert.equal(forbiddenAt(out, true), null, JSON.stringify(out));
      assert.equal(out.split('\n').length, text.split('\n').length, 'one output line per input line');
    }),
    { numRuns: 2000 },
  );
});

test('both renderings decode back to the exact text: no two texts look alike', () => {
  fc.assert(
    fc.property(untrusted, (text) => {
      assert.equal(decode(inertLine(text)), text);
      assert.equal(decode(inertBlock(text)), text);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(untrusted, untrusted, (a, b) => {
      fc.pre(a !== b);
      assert.notEqual(inertLine(a), inertLine(b));
      assert.notEqual(inertBlock(a), inertBlock(b));
    }),
    { numRuns: 1000 },
  );
});

test('the escapes of the attacks from the probe, and text that merely looks like an escape', () => {
  assert.equal(inertLine('\x1b[2Jhi'), '\\u{1B}[2Jhi');
  assert.equal(inertLine('\x1b]0;pwned\x07'), '\\u{1B}]0;pwned\\u{7}');
  assert.equal(inertLine('a\u202eb\u200bc'), 'a\\u{202E}b\\u{200B}c');
  assert.equal(inertLine('\ud800x'), '\\u{D800}x');
  assert.equal(inertLine('\u{1F600} é 日本'), '\u{1F600} é 日本', 'visible text is left alone');
  assert.equal(inertLine('one\ntwo\tthree\r'), 'one\\ntwo\\tthree\\r');
  assert.equal(inertBlock('one\ntwo\tthree\r'), 'one\ntwo\\tthree\\r');
  // A literal backslash form is not the control it spells.
  assert.equal(inertLine('\\u{1B}'), '\\\\u{1B}');
  assert.notEqual(inertLine('\\u{1B}'), inertLine('\x1b'));
  assert.notEqual(inertLine('\\n'), inertLine('\n'));
});

test('inert JSON parses back to the same value and hides nothing', () => {
  const json = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
  const withDanger = fc.array(fc.constantFrom(...DANGEROUS), { maxLength: 8 }).map((parts) => ({
    [parts.join('')]: parts.join(''),
  }));
  fc.assert(
    fc.property(fc.oneof(json, withDanger), (value) => {
      const out = inertJson(value);
      assert.equal(forbiddenAt(out, false), null, out);
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 1000 },
  );
  assert.equal(inertJson(['\u202e\x7f']), '["\\u202E\\u007F"]');
  assert.equal(inertJson(undefined), 'null');
});
