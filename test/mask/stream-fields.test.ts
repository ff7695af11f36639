// Secret-named fields written as lines in streamed text (`.env`, YAML, pretty-printed JSON) are masked
// toward the client as the recorded copy masks them, wherever the deltas cut the text; text that
// cannot begin a field is not held back for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { MAX_FIELD_LINE } from '../../src/mask/stream-fields.js';

const masker = createMasker({
  fingerprintKey: 'stream-fields',
  secretNames: ['vault_phrase', 'password', 'api_key', 'client_secret', 'token'],
});
/** The recorded copy: a streamed answer's text is recorded as a string value. */
const maskValue = (text: string) => masker.maskPayload({ content: text }, 'llm').content as string;
// Rule vectors that are not JSON documents (a text that starts as one is read as JSON whole).
const ruleSecrets = BUILTIN_RULES.flatMap((r) => r.vectors!.hits.map((h) => h.text))
  .filter((t) => !/^\s*[[{]/.test(t))
  .slice(0, 8);

function fieldMasker() {
  return masker.createValueStreamMasker('llm');
}

/** `text` cut into pieces of the given sizes, in turn. */
function chunked(text: string, sizes: readonly number[]): string[] {
  const chunks: string[] = [];
  for (let i = 0, pos = 0; pos < text.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(text.slice(pos, pos + n));
    pos += n;
  }
  return chunks;
}

function streamed(chunks: readonly string[]): string {
  const s = fieldMasker();
  return chunks.map((c) => s.push(c)).join('') + s.end();
}

/** Values of words: no text rule takes them, only the field's name says they are secret. */
const VALUES = ['harvest-moon-lantern', 'blue river stone', 'amber tide lullaby', 'quiet-copper-finch'];
const FIELD_LINES = VALUES.flatMap((v) => [
  `API_KEY=${v}`,
  `export CLIENT_SECRET="${v}"`,
  `  password: ${v}`,
  `    "client_secret": "${v}",`,
  `- vault_phrase: ${v} # rotated`,
]);
const OTHER_LINES = [
  'Here is the file you asked for:',
  'DEBUG=true',
  'name: web',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder, as a .env file writes it
  'api_key: ${API_KEY}',
  'The password is not shown here.',
  '```',
  '',
  ...ruleSecrets,
];

test('a .env secret of words is masked in the stream as in the recorded copy, split at every offset', () => {
  const text =
    'Your settings:\nDEBUG=1\nSTRIPE_API_KEY=harvest-moon-lantern\nclient_secret: blue river stone\nok';
  const whole = maskValue(text);
  assert.ok(!whole.includes('harvest-moon-lantern') && !whole.includes('blue river stone'));
  for (let i = 0; i <= text.length; i++) {
    for (const j of [i, Math.min(text.length, i + 1), Math.min(text.length, i + 7)]) {
      const out = streamed([text.slice(0, i), text.slice(i, j), text.slice(j)]);
      if (out !== whole) assert.equal(out, whole, `split at ${i}, ${j}`);
    }
  }
  // Character by character, as a slow model streams.
  assert.equal(streamed([...text]), whole);
});

test('random texts of field lines, cut into random deltas, equal the recorded copy', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...FIELD_LINES, ...OTHER_LINES), { minLength: 1, maxLength: 10 }),
      fc.constantFrom('\n', '\r\n', '\r', '\u2028'),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
      (lines, newline, sizes) => {
        const text = lines.join(newline);
        const chunks = chunked(text, sizes);
        const out = streamed(chunks);
        const whole = maskValue(text);
        for (const v of VALUES) if (!whole.includes(v)) assert.ok(!out.includes(v), `${v} leaked`);
        // A value runs on over U+2028 (`[^\r\n]*`), and so does the record's reading of a line that
        // names no secret; the stream starts a line there all the same, so it may mask more.
        if (newline !== '\u2028') assert.equal(out, whole);
      },
    ),
    { numRuns: 300 },
  );
});

test('a line that cannot start a field is not held for one', () => {
  const s = fieldMasker();
  // A word at a line start may still become `Word=…`; once a space and another word follow, it cannot.
  assert.equal(s.push('Sure thing, here'), masker.createStreamMasker('llm').push('Sure thing, here'));
  const t = fieldMasker();
  // A field whose name is not secret goes on as soon as the name is read.
  const plain = masker.createStreamMasker('llm');
  assert.equal(t.push('DEBUG=tr'), plain.push('DEBUG=tr'));
  // A secret field's value is held until its line ends.
  const u = fieldMasker();
  assert.equal(u.push('API_KEY=harvest-moon'), '');
  const out = u.push('-lantern\nnext') + u.end();
  assert.ok(!out.includes('harvest') && out.includes('[MASKED:secret-field:'), out);
});

test('a field line past the bound is masked as it stands and the rest of the line withheld', () => {
  const value = 'lantern '.repeat(MAX_FIELD_LINE / 4);
  const s = fieldMasker();
  let out = '';
  for (let i = 0; i < value.length; i += 100)
    out += s.push(i === 0 ? `API_KEY=${value.slice(0, 100)}` : value.slice(i, i + 100));
  // Released before the line ends: held no further than the bound.
  assert.ok(out.includes('[MASKED:secret-field:'), 'released at the bound');
  out += s.push('\nafter') + s.end();
  assert.ok(!out.includes('lantern'), out.slice(0, 200));
  assert.ok(out.endsWith('\nafter'));
});

/** JSON documents (tool arguments, structured output): compact and pretty, with secret keys, arrays and numbers. */
const JSON_DOCS = VALUES.flatMap((v) => [
  `{"client_secret":"${v}","grant_type":"client_credentials"}`,
  `{\n  "user": "ann",\n  "password": "${v.replace(/ /g, '\\" ')}",\n  "note": "said \\"hi\\""\n}`,
  `[{"name":"db","api_key" : "${v}"},{"token": 12345678901, "n": -2.5e3}]`,
  `{"api_key": ["${v}", "x-${v}"], "nested": {"password": {"a": 1}}, "text": "api_key: is fine here"}`,
  `  {"answer": "no secret in ${v}", "client_secret": "\${CLIENT_SECRET}"}`,
]);

test('JSON documents cut into random deltas equal the recorded copy', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...JSON_DOCS),
      fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 0, max: 1000 }),
      (doc, sizes, cut) => {
        // Also a document cut short, as a stream stopped early leaves it.
        for (const text of [doc, doc.slice(0, cut % (doc.length + 1))]) {
          const chunks = chunked(text, sizes);
          const out = streamed(chunks);
          const whole = maskValue(text);
          for (const v of VALUES) if (!whole.includes(v)) assert.ok(!out.includes(v), `${v} leaked`);
          // A pretty document cut inside a value may also be read as a `name: value` line whole (a
          // lone `"` masked): the stream reads it as JSON only, which hides the same values.
          if (text === doc) assert.equal(out, whole);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('a JSON value that is not a secret field streams on; a secret one is held to its closing quote', () => {
  const s = fieldMasker();
  const plain = masker.createStreamMasker('llm');
  assert.equal(
    s.push('{"answer": "The capital of France is'),
    plain.push('{"answer": "The capital of France is'),
  );
  const t = fieldMasker();
  const first = t.push('{"client_secret": "blue river');
  assert.ok(!first.includes('blue'), first);
  const out = first + t.push(' stone", "x": 1}') + t.end();
  assert.match(out, /^\{"client_secret": "\[MASKED:secret-field:[0-9a-f]+\]", "x": 1\}$/);
});

test('random JSON documents with secret keys, cut into random deltas, equal the recorded copy', () => {
  const KEYS = ['password', 'api_key', 'client_secret', 'token', 'note', 'items', 'n', 'a"b', 'pass\\word'];
  const { doc } = fc.letrec((tie) => ({
    doc: fc.oneof(
      { depthSize: 'small' },
      fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
      fc.array(tie('value'), { maxLength: 4 }),
    ),
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(...VALUES),
      fc.string({ maxLength: 12 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      tie('doc'),
    ),
  }));
  fc.assert(
    fc.property(
      doc,
      fc.constantFrom(0, 2, '\t'),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }),
      (value, indent, sizes) => {
        const text = JSON.stringify(value, null, indent);
        const chunks = chunked(text, sizes);
        assert.equal(streamed(chunks), maskValue(text));
      },
    ),
    { numRuns: 300 },
  );
});

test('a JSON secret value past the bound is masked as it stands and the rest withheld', () => {
  const value = 'lantern '.repeat(MAX_FIELD_LINE / 4);
  const s = fieldMasker();
  let out = s.push('{"password": "');
  for (let i = 0; i < value.length; i += 100) out += s.push(value.slice(i, i + 100));
  assert.ok(out.includes('[MASKED:secret-field:'), 'released at the bound');
  out += s.push('", "user": "ann"}') + s.end();
  assert.ok(!out.includes('lantern'), out.slice(0, 200));
  assert.match(out, /^\{"password": "\[MASKED:secret-field:[0-9a-f]+\]", "user": "ann"\}$/);
});
