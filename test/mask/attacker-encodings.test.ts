// Spellings of a secret the masker read as other text until 7 December: every rule's secret typed
// in full-width forms (`ＡＫＩＡ…`, src/mask/plain-reading.ts), a known secret in hex (lower and
// upper case) and in octal byte escapes (`\163`, src/mask/escape-kinds.ts), and a listed name
// written in two parts (`pass_wd`, src/mask/secret-names.ts). Each is masked as the plain spelling
// is, with the same fingerprint, whole and streamed at every cut; look-alike names stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { plainReading } from '../../src/mask/plain-reading.js';
import { secretNameMatcher } from '../../src/mask/secret-names.js';

const masker = createMasker({ fingerprintKey: 'attacker-encodings-key-0123456789' });
const FOLDED = /[-+./=_0-9A-Za-z]/g;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const fullWidth = (text: string) =>
  text.replace(FOLDED, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
/** What the reading should be: invisible characters gone, full-width forms of FOLDED as ASCII. */
const folded = (text: string) =>
  text
    .replace(INVISIBLE, '')
    .replace(/[\uff0b\uff0d-\uff0f\uff10-\uff19\uff1d\uff21-\uff3a\uff3f\uff41-\uff5a]/g, (c) =>
      String.fromCharCode(c.charCodeAt(0) - 0xfee0),
    );

function streamed(text: string, cuts: readonly number[], known = false): string {
  const s = known ? masker.createKnownSecretsMasker() : masker.createStreamMasker('llm');
  let out = '';
  let pos = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out += s.push(text.slice(pos, cut));
    pos = cut;
  }
  return out + s.push(text.slice(pos)) + s.end();
}

const hits = BUILTIN_RULES.flatMap((rule) =>
  (rule.vectors?.hits ?? []).map((hit) => ({ rule: rule.id, text: `note: ${hit.text} ok` })),
).filter((h) => folded(h.text) === h.text);

test('every rule finds its secret typed in full-width forms, at the same place and with the same fingerprint', () => {
  let changed = 0;
  for (const hit of hits) {
    const wide = fullWidth(hit.text);
    if (wide === hit.text) continue;
    changed++;
    const plain = masker.scanText(hit.text).findings;
    const read = masker.scanText(wide).findings;
    assert.deepEqual(
      read.map((f) => [f.ruleId, f.start, f.end, f.fingerprint]),
      plain.map((f) => [f.ruleId, f.start, f.end, f.fingerprint]),
      `${hit.rule}: ${wide}`,
    );
  }
  assert.ok(changed > 40, `${changed} vectors`);
});

test('a full-width key streamed in two pieces, cut at every offset, masks as it does whole', () => {
  const text = `key ${fullWidth('AKIAZ7QW3ERTYU2IOP4L')} and ${fullWidth('ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A')}.`;
  const whole = masker.maskText(text, 'llm');
  assert.match(
    whole,
    /^key \[MASKED:aws-access-key-id:[0-9a-f]{6}\] and \[MASKED:github-token:[0-9a-f]{6}\]\.$/,
  );
  for (let i = 0; i <= text.length; i++) {
    const out = streamed(text, [i]);
    if (out !== whole) assert.equal(out, whole, `cut at ${i}`);
  }
});

test('property: text of full-width and ASCII token characters, cut into random pieces, streams as it masks whole', () => {
  const unit = fc.constantFrom(
    'Ａ',
    'ｋ',
    '７',
    '＿',
    '－',
    '／',
    '＋',
    '＝',
    'a',
    'K',
    '9',
    '_',
    ' ',
    '\n',
    '，',
    '\u200b',
  );
  fc.assert(
    fc.property(
      fc.array(unit, { minLength: 1, maxLength: 300 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      (units, sizes) => {
        const text = `${fullWidth('AKIAZ7QW3ERTYU2IOP4L')}${units.join('')}`;
        const cuts: number[] = [];
        for (let pos = sizes[0]!, i = 1; pos < text.length; i++) {
          cuts.push(pos);
          pos += sizes[i % sizes.length]!;
        }
        assert.equal(streamed(text, cuts), masker.maskText(text, 'llm'));
      },
    ),
    { numRuns: 300 },
  );
});

test('property: the plain reading folds full-width forms and sets invisible characters aside, offsets mapped back', () => {
  const unit = fc.constantFrom(
    'a',
    'Z',
    '7',
    '-',
    ' ',
    'é',
    '東',
    '\u200b',
    '\u00ad',
    '\ufeff',
    'Ａ',
    'ｚ',
    '０',
    '９',
    '＿',
    '－',
    '／',
    '：',
    '，',
    '👍',
  );
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
      const text = units.join('');
      const reading = plainReading(text);
      if (reading === null) {
        assert.equal(folded(text), text);
        return;
      }
      assert.equal(reading.text, folded(text));
      for (let i = 0; i < reading.text.length; i++) {
        const at = reading.toOriginal(i);
        assert.equal(folded(text[at]!), reading.text[i]);
        assert.equal(reading.toReading(at), i);
        assert.equal(reading.toOriginalEnd(i + 1), at + 1);
      }
      assert.equal(reading.toOriginal(reading.text.length), text.length);
    }),
    { numRuns: 2000 },
  );
});

const secretChars = fc.constantFrom(...'abcXYZ019-_/+.:!é€'.split(''));
const secretArb = fc.array(secretChars, { minLength: 8, maxLength: 24 }).map((a) => `k${a.join('')}`);
const octal = (b: number) => `\\${b.toString(8).padStart(3, '0')}`;

test('property: a known secret in hex, either case, is masked with the raw value fingerprint, streamed as whole', () => {
  fc.assert(
    fc.property(secretArb, fc.boolean(), fc.nat(), (secret, upper, cut) => {
      const m = createMasker({ fingerprintKey: 'attacker-encodings-key-0123456789' });
      m.addKnownSecret(secret, 'injected');
      const raw = m.maskKnownSecrets(secret);
      const hex = Buffer.from(secret, 'utf8').toString('hex');
      const text = `bytea \\x${upper ? hex.toUpperCase() : hex} end`;
      assert.equal(m.maskText(text), `bytea \\x${raw} end`);
      assert.equal(m.maskKnownSecrets(text), `bytea \\x${raw} end`);
      const s = m.createKnownSecretsMasker();
      const at = cut % (text.length + 1);
      assert.equal(s.push(text.slice(0, at)) + s.push(text.slice(at)) + s.end(), `bytea \\x${raw} end`);
    }),
    { numRuns: 300 },
  );
});

test('property: a known secret with any of its bytes as octal escapes is masked whole, streamed as whole', () => {
  fc.assert(
    fc.property(
      secretArb,
      fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (secret, picks, cuts) => {
        const m = createMasker({ fingerprintKey: 'attacker-encodings-key-0123456789' });
        m.addKnownSecret(secret, 'injected');
        const raw = m.maskKnownSecrets(secret);
        // Bytes read one to a character (Latin-1): an octal escape spells one byte.
        const bytes = Buffer.from(secret, 'utf8');
        const spelled = [...bytes]
          .map((b, i) => (picks[i % picks.length] || b > 0x7f ? octal(b) : String.fromCharCode(b)))
          .join('');
        fc.pre(spelled.includes('\\'));
        const text = `E'${spelled}' x`;
        assert.equal(m.maskKnownSecrets(text), `E'${raw}' x`, text);
        const s = m.createKnownSecretsMasker();
        let out = '';
        let pos = 0;
        for (const cut of cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b)) {
          out += s.push(text.slice(pos, cut));
          pos = cut;
        }
        assert.equal(out + s.push(text.slice(pos)) + s.end(), `E'${raw}' x`, text);
      },
    ),
    { numRuns: 300 },
  );
});

test('octal escapes of one or two digits, and escapes spelling other text, are read as C reads them', () => {
  const m = createMasker({ fingerprintKey: 'attacker-encodings-key-0123456789' });
  m.addKnownSecret('pw\n\tHeld-0042', 'injected');
  const raw = m.maskKnownSecrets('pw\n\tHeld-0042');
  assert.equal(m.maskKnownSecrets('"pw\\12\\11Held-0042"'), `"${raw}"`);
  assert.equal(m.maskKnownSecrets('"\\160\\167\\012\\011Held-0042"'), `"${raw}"`);
  // `\400` is `\40` and a `0`: not the secret's characters.
  for (const other of ['"pw\\12\\11Held-0043"', '"\\160\\167\\400Held-0042"', '"C:\\123\\Held-0042"'])
    assert.equal(m.maskKnownSecrets(other), other);
});

test('a listed name written in two parts says secret; other names that end alike do not', () => {
  const secretName = secretNameMatcher();
  for (const name of [
    'pass_wd',
    'PASS_WD',
    'db_pass_wd',
    'Pass-Word',
    'user.pass_word',
    'passPhrase',
    'Api_Key',
  ])
    assert.ok(secretName(name), name);
  for (const name of [
    'pa_n',
    'o_tp',
    'pi_n',
    'by_pass_count',
    'pass_wd_hint',
    'word',
    'to_ken',
    'sec_ret_id',
  ])
    assert.ok(!secretName(name), name);
  assert.equal(
    masker.maskPayload({ body: '{"pass_wd": "harbor lantern seven"}' }, 'llm').body,
    `{"pass_wd": "${masker.maskPayload({ password: 'harbor lantern seven' }, 'llm').password}"}`,
  );
});
