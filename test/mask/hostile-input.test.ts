// Hostile input cannot stall the masker: the work done (pattern executions) stays linear in the
// input for inputs built against each part of the scanner, patterns that could backtrack
// exponentially are refused, and a token run streamed in tiny pieces is not rescanned quadratically.
// Bounded work is asserted by counting, never by timing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTIN_RULES, createMasker } from '../../src/mask/index.js';
import { hasNestedQuantifier } from '../../src/mask/regex-guard.js';
import { customRule } from '../../src/mask/rule-set.js';
import { Scanner } from '../../src/mask/scanner.js';
import { ALPHABETS, synth } from '../../src/mask/synthetic.js';

const N = 120_000;
const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
const HOSTILE: Record<string, string> = {
  'one long run': fill('a'),
  'random base64 run': synth(N, ALPHABETS.base64, 'hostile'),
  'base64 lines': fill(`${synth(64, ALPHABETS.base64, 'h-line')}\n`),
  'escaped base64 lines': fill(`${synth(64, ALPHABETS.base64, 'h-esc')}\\n`),
  'at signs': fill('@'),
  'local parts and at signs': fill('a.b-c@'),
  'password keywords': fill('password='),
  'password keyword, quote': fill('password: "'),
  'PEM headers': fill('-----BEGIN RSA PRIVATE KEY-----\n'),
  'JWT starts': fill('eyJhbGci.eyJ'),
  'URL schemes': fill('postgres://a:'),
  'Bearer words': fill('Authorization: Bearer '),
  'digits and separators': fill('4111 1111 '),
  'phone-like': fill('+1 (415) 555-'),
  'IBAN-like': fill('DE89 3704 '),
  'AKIA prefixes': fill('AKIA'),
  'sk- prefixes': fill('sk-'),
  'query parameters': fill('?token=&key=&'),
  backslashes: fill('\\'),
  escapes: fill('\\u00'),
  'SQL quotes': fill("'"),
};

test('catalogue patterns have no quantified group around an unbounded quantifier', () => {
  for (const rule of BUILTIN_RULES) {
    if (rule.pattern) assert.ok(!hasNestedQuantifier(rule.pattern), rule.id);
  }
  for (const p of ['(a+)+$', '(\\w*\\s?)*x', '(?:ab|c+){2,}']) assert.ok(hasNestedQuantifier(p), p);
  assert.throws(() => customRule({ id: 'evil', pattern: '(a+)+b' }), /backtrack/);
});

test('hostile inputs: pattern executions stay linear in the input', () => {
  const rules = BUILTIN_RULES.filter((r) => !r.defaultOff);
  for (const [name, text] of Object.entries(HOSTILE)) {
    const scanner = new Scanner(rules, new Map(), new Set());
    scanner.scan(text);
    const perChar = scanner.stats.verifications / text.length;
    assert.ok(
      perChar <= 2,
      `${name}: ${scanner.stats.verifications} executions for ${text.length} characters`,
    );
  }
});

test('hostile inputs streamed in small pieces finish and equal whole-text masking', () => {
  const masker = createMasker({ fingerprintKey: 'hostile' });
  for (const [name, text] of Object.entries(HOSTILE)) {
    const s = masker.createStreamMasker('llm');
    let out = '';
    const size = name === 'random base64 run' || name === 'one long run' ? 1 : 997;
    for (let i = 0; i < text.length; i += size) out += s.push(text.slice(i, i + size));
    out += s.end();
    assert.equal(out, masker.maskText(text), name);
  }
});
