// Secret-named XML fields in streamed text (an element's text, a CDATA, a secret-named attribute, a
// key/name and value pair, a property list's key and string) are masked toward the client as the
// recorded copy masks them, wherever the deltas cut the text; text with no `<` is not held for them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';
import { MAX_FIELD_LINE } from '../../src/mask/stream-fields.js';

const masker = createMasker({
  fingerprintKey: 'stream-xml-fields',
  secretNames: ['vault_phrase', 'password', 'api_key', 'apikey', 'client_secret', 'token', 'secret'],
});
/** The recorded copy: a streamed answer's text is recorded as a string value. */
const maskValue = (text: string) => masker.maskPayload({ content: text }, 'llm').content as string;

function streamed(chunks: readonly string[]): string {
  const s = masker.createValueStreamMasker('llm');
  return chunks.map((c) => s.push(c)).join('') + s.end();
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

/** Values of words: no text rule takes them, only the element or attribute says they are secret. */
const VALUES = ['summer dance party', 'velvet-harbor-fog', 'quiet meadow ember', 'amber-tide-lullaby'];
const FIELDS = VALUES.flatMap((v) => [
  `<password>${v}</password>`,
  `<ns1:ClientSecret xsi:type="xsd:string">${v}</ns1:ClientSecret>`,
  `<secret><![CDATA[${v}]]></secret>`,
  `<Password>\n    ${v}\n  </Password>`,
  `<user name="ann" apiToken="${v.replaceAll(' ', '-')}"/>`,
  `<user apiKey='${v}'></user>`,
  `<add key="ApiToken" value="${v.replaceAll(' ', '-')}"/>`,
  `<param value="${v}" name="password"/>`,
  `<entry key="db.password">${v}</entry>`,
  `<dict>\n  <key>password</key>\n  <string>${v}</string>\n</dict>`,
  `<credentials><password>${v}</password></credentials>`,
  `<secret><![CDATA[<b>${v}</b> ]]]></secret>`,
]);
const OTHER = [
  'Here is the request:\n',
  '<soap:Envelope><soap:Body><Login>',
  '</Login></soap:Body></soap:Envelope>',
  '<username>ann</username>',
  '<html><body><label for="password">Password</label></body></html>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder, as a config file writes it
  '<password>${DB_PASSWORD}</password>',
  '<token>the</token>',
  '<password-hint>first pet</password-hint>',
  '<dict><key>name</key><string>ann</string></dict>',
  '<key>password</key><integer>4</integer>',
  'if a < b and c<d then <br/> ',
  '<password><b>bold</b></password>',
  '<secret><![CDATA[x]]></other>',
  '<!-- password --> <?xml version="1.0"?>',
  '\nDEBUG=true\n',
  ' text ',
];

test('an XML field of words is masked in the stream as in the recorded copy, split at every offset', () => {
  const text = `Login:\n<soap:Body><username>ann</username><password>summer dance party</password></soap:Body>\n<add key="ApiToken" value="amber-tide-lullaby"/> <secret><![CDATA[quiet meadow ember]]></secret>\n<dict><key>password</key> <string>velvet harbor fog</string></dict> ok`;
  const whole = maskValue(text);
  for (const v of ['summer', 'amber', 'meadow', 'velvet']) assert.ok(!whole.includes(v), whole);
  for (let i = 0; i <= text.length; i++) {
    for (const j of [i, Math.min(text.length, i + 1), Math.min(text.length, i + 7)]) {
      const out = streamed([text.slice(0, i), text.slice(i, j), text.slice(j)]);
      if (out !== whole) assert.equal(out, whole, `split at ${i}, ${j}`);
    }
  }
  assert.equal(streamed([...text]), whole);
});

test('random texts of XML fields and other markup, cut into random deltas, equal the recorded copy', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...FIELDS, ...OTHER), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 30 }),
      fc.integer({ min: 0, max: 2000 }),
      (parts, sizes, cut) => {
        const doc = parts.join('');
        // Also a text cut short, as a stream stopped early leaves it.
        for (const text of [doc, doc.slice(0, cut % (doc.length + 1))]) {
          const whole = maskValue(text);
          const out = streamed(chunked(text, sizes));
          // The recorded copy reads XML only in a text with a `</` or `/>` somewhere; the stream
          // cannot know whether one follows, so without one it may mask more, never less.
          if (text.includes('</') || text.includes('/>')) assert.equal(out, whole, JSON.stringify(text));
          else for (const v of VALUES) if (!whole.includes(v)) assert.ok(!out.includes(v), `${v} leaked`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('XML inside JSON strings (a tool call’s arguments) cut into random deltas equals the recorded copy', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...FIELDS, ...OTHER), { minLength: 1, maxLength: 4 }),
      fc.constantFrom(0, 2),
      fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 20 }),
      (parts, indent, sizes) => {
        const text = JSON.stringify({ body: parts.join(''), password: 'x y', note: parts[0] }, null, indent);
        assert.equal(streamed(chunked(text, sizes)), maskValue(text), text);
      },
    ),
    { numRuns: 300 },
  );
});

test('random text around a field is masked as recorded at every cut of a short sample', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(...FIELDS.slice(0, 12)),
      fc.string({ maxLength: 12 }),
      (before, field, after) => {
        const text = `${before}${field}${after}`;
        const whole = maskValue(text);
        for (let i = 0; i <= text.length; i++) {
          const out = streamed([text.slice(0, i), text.slice(i)]);
          if (out !== whole) assert.equal(out, whole, `${JSON.stringify(text)} split at ${i}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('a field line inside a secret element leaks neither the line nor the element text', () => {
  const text = '<password>\nsummer dance\nAPI_KEY=harvest-moon\nparty time\n</password>\nafter';
  for (let i = 0; i <= text.length; i++) {
    const out = streamed([text.slice(0, i), text.slice(i)]);
    for (const w of ['summer', 'harvest', 'party']) assert.ok(!out.includes(w), `${w} at ${i}: ${out}`);
    assert.ok(out.endsWith('</password>\nafter'), out);
  }
});

test('text with no `<` is not held for an XML field; a start tag is held to its `>` only', () => {
  const plain = masker.createStreamMasker('llm');
  const s = masker.createValueStreamMasker('llm');
  assert.equal(s.push('Sure, the config is below. '), plain.push('Sure, the config is below. '));
  // A tag that names no secret goes on once it is whole.
  assert.equal(s.push('<config><host'), plain.push('<config>'));
  assert.equal(s.push('>db</host>'), plain.push('<host>db</host>'));
  // A secret element's text is held to its closing tag.
  assert.equal(s.push('<password>summer dance'), '');
  const out = s.push(' party</password> ok') + s.end();
  assert.match(out, /^<password>\[MASKED:secret-field:[0-9a-f]+\]<\/password> ok$/);
});

test('an element text past the bound is masked as it stands and the rest of the value withheld', () => {
  const value = 'lantern '.repeat(MAX_FIELD_LINE / 4);
  for (const [open, close] of [
    ['<password>', '</password>'],
    ['<secret><![CDATA[', ']]></secret>'],
    ['<dict><key>password</key><string>', '</string></dict>'],
  ] as const) {
    const s = masker.createValueStreamMasker('llm');
    let out = s.push(open);
    for (let i = 0; i < value.length; i += 100) out += s.push(value.slice(i, i + 100));
    // Released before the value ends: held no further than the bound.
    assert.ok(out.includes('[MASKED:secret-field:'), `${open} released at the bound`);
    out += s.push(`${close}\nafter`) + s.end();
    assert.ok(!out.includes('lantern'), out.slice(0, 200));
    assert.ok(out.endsWith(`${close}\nafter`), out.slice(-100));
  }
});

test('hostile markup (runs of `<`, unclosed and overlong tags) is handed on whole and unmasked', () => {
  for (const text of [
    '<'.repeat(5000),
    '<password>'.repeat(600),
    `<a ${'x'.repeat(2000)}`,
    `<${'n'.repeat(300)}>`,
    `<secret><![CDATA[${'<secret><![CDATA['.repeat(200)}]]>x`,
  ]) {
    const out = streamed(chunked(text, [3, 7, 1]));
    assert.equal(out, maskValue(text));
  }
});
