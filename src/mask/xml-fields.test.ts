// Secret-named fields written as XML inside a text value: an element's text, a secret-named
// attribute, a name/value pair in attributes, a property list's key and value. Masked whole as a
// JSON field is (a password of words, which no text rule takes for a secret); HTML and XML that
// name no secret stay as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fieldSecret } from './embedded-fields.js';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { xmlFieldSpans } from './xml-fields.js';

const masker = createMasker({ fingerprintKey: 'xml-fields-test-key-0123456789' });
const S = 'amber tide lullaby';
/** A token of words joined by dashes (a value with spaces under a `token` name is read as words). */
const T = 'amber-tide-lullaby';
const walked = (text: string) => String(masker.maskPayload({ text }, '').text);
const MASK = /\[MASKED:secret-field:[0-9a-f]{6}\]/;

test('XML elements, attributes and pairs that name a secret are masked whole', () => {
  const cases: [string, string][] = [
    [
      `<soap:Envelope><soap:Body><Login><username>ann</username><password>${S}</password></Login></soap:Body></soap:Envelope>`,
      '<username>ann</username><password>',
    ],
    [`<config>\n  <apiKey>${S}</apiKey>\n</config>`, '<apiKey>'],
    [
      `<ns1:ClientSecret xsi:type="xsd:string">${S}</ns1:ClientSecret>`,
      '<ns1:ClientSecret xsi:type="xsd:string">',
    ],
    [`<secret><![CDATA[${S}]]></secret>`, '<secret><![CDATA['],
    [`<Password>\n    ${S}\n  </Password>`, '<Password>\n    '],
    [`<user name="ann" apiToken="${T}"/>`, '<user name="ann" apiToken="'],
    [`<appSettings><add key="ApiToken" value="${T}"/></appSettings>`, '<add key="ApiToken" value="'],
    [`<param name="password" value="${S}"/>`, '<param name="password" value="'],
    [`<properties><entry key="db.password">${S}</entry></properties>`, '<entry key="db.password">'],
    [`<dict>\n  <key>password</key>\n  <string>${S}</string>\n</dict>`, '<key>password</key>\n  <string>'],
    [JSON.stringify({ body: `<auth><secret>${S}</secret></auth>` }), '<secret>'],
  ];
  for (const [text, kept] of cases) {
    const out = walked(text);
    assert.ok(!out.includes(S) && !out.includes(T), `${text} → ${out}`);
    assert.ok(out.includes(kept), `${text} → ${out}`);
    assert.match(out, MASK, text);
  }
});

test('XML and HTML that name no secret, placeholders and short token words stay', () => {
  for (const text of [
    '<html><body><label for="password">Password</label><input type="password" name="password" value=""></body></html>',
    '<config><host>db</host><port>5432</port></config>',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder, as a config file writes it
    '<password>${DB_PASSWORD}</password>',
    '<token>the</token>',
    '<password-hint>first pet</password-hint>',
    '<auth><user>ann</user></auth>',
    '<div class="secret">Nothing to see</div>',
    '<dict><key>name</key><string>ann</string></dict>',
  ])
    assert.equal(walked(text), text);
});

test('spans lie inside the element or attribute whatever surrounds them', () => {
  const secretName = secretNameMatcher();
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (before, after) => {
      const value = 'words of a pass phrase';
      const text = `${before}<password>${value}</password>${after}`;
      const spans = xmlFieldSpans(text, secretName, fieldSecret);
      const at = before.length + '<password>'.length;
      return spans.some((s) => s.start === at && s.end === at + value.length);
    }),
  );
});
