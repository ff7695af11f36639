// Vigil's log lines as pino writes them (one JSON object, its strings escaped, a newline), masked
// by the real masker: a secret spelled with JSON's escapes around it is still masked, and a masked
// line is still the JSON object it was, whatever a client put in a logged string.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { logLineMasker } from './log-masking.js';
import { createMasker } from './masker.js';

const KNOWN = 'Known-Secret-Value-123';
const masker = createMasker({
  fingerprintKey: 'log-masking-test-key-0123456789',
  knownSecrets: [{ value: KNOWN, label: 'upstream credential' }],
});
const maskLine = logLineMasker(masker);

/** The line pino writes for a record (its strings escaped as JSON.stringify escapes them). */
const pinoLine = (record: object) => `${JSON.stringify({ level: 30, time: 1, svc: 'vigil', ...record })}\n`;

test('a secret after an escaped newline, or holding an escaped quote, is masked in the log line', () => {
  const cases: [string, string][] = [
    ['password=hunter2horse\nnext line', 'hunter2horse'],
    ['postgres://app:s3cr"3tP4ss@db.internal:5432/app', 's3cr"3tP4ss'],
    [`upstream said:\n${KNOWN}`, KNOWN],
  ];
  for (const [text, secret] of cases) {
    const out = maskLine(pinoLine({ msg: 'request refused', err: text }));
    const parsed = JSON.parse(out) as { err: string };
    assert.ok(!parsed.err.includes(secret), `${JSON.stringify(text)} was logged as ${out}`);
    assert.ok(!out.includes(JSON.stringify(secret).slice(1, -1)), out);
    assert.match(parsed.err, /\[MASKED:/);
  }
});

test('masking never breaks a JSON escape: an email after a newline leaves a valid line', () => {
  const out = maskLine(pinoLine({ msg: 'bad login', user: 'user\njohn.doe@example.com' }));
  const parsed = JSON.parse(out) as { user: string };
  assert.ok(out.endsWith('}\n'));
  assert.match(parsed.user, /^user\n\[MASKED:email:/);
});

test('a secret-named field in a logged object is masked whole', () => {
  const parsed = JSON.parse(maskLine(pinoLine({ upstream: { password: 'correct-horse-battery' } })));
  assert.equal(JSON.stringify(parsed).includes('correct-horse-battery'), false);
});

test('whatever a client puts in logged strings, the line stays one JSON object with the same fields', () => {
  // Text near what the rules look for: escapes, quotes, backslashes, assignments, emails, tokens.
  const piece = fc.constantFrom(
    '\n',
    '\r',
    '\t',
    '"',
    '\\',
    '\\"',
    '\\n',
    '\u0000',
    '\u2028',
    '{',
    '}',
    ',',
    ':',
    ' ',
    'password=',
    'token: ',
    'n',
    'john.doe@example.com',
    '@',
    'sk_live_',
    'ghp_',
    'a1B2c3D4e5F6g7H8',
    '","level":60,"msg":"forged',
    KNOWN,
  );
  const text = fc
    .array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 12 })
    .map((p) => p.join(''));
  fc.assert(
    fc.property(text, text, (msg, detail) => {
      const out = maskLine(pinoLine({ msg, detail }));
      assert.equal(out.indexOf('\n'), out.length - 1, 'one line');
      const parsed = JSON.parse(out) as Record<string, unknown>;
      assert.deepEqual(Object.keys(parsed), ['level', 'time', 'svc', 'msg', 'detail']);
      assert.equal(parsed.level, 30);
      assert.ok(!out.includes(KNOWN));
    }),
    { numRuns: 2000, seed: 5122026 },
  );
});

test('a line that is not a JSON object is masked as text', () => {
  assert.equal(maskLine(`plain ${KNOWN}\n`).includes(KNOWN), false);
});
