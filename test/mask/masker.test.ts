import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { createMasker, createMaskerFromConfig, logLineMasker } from '../../src/mask/index.js';
import { ALPHABETS, synth } from '../../src/mask/synthetic.js';
import { configSchema } from '../../src/protocols/index.js';

const password = synth(16, ALPHABETS.alnum, 'masker-test');

test('replacement is [MASKED:rule:first 6 hex of HMAC-SHA256(key, secret)] and keeps the URL structure', () => {
  const masker = createMasker({ fingerprintKey: 'fp-key' });
  const fp = createHmac('sha256', 'fp-key').update(password).digest('hex').slice(0, 6);
  assert.equal(
    masker.maskText(`postgres://app:${password}@db:5432/app`),
    `postgres://app:[MASKED:connection-string-password:${fp}]@db:5432/app`,
  );
  const other = createMasker({ fingerprintKey: 'another-key' });
  assert.notEqual(other.maskText(`password=${password}`), masker.maskText(`password=${password}`));
});

test('maskPayload walks every string, leaves keys and non-strings alone unless a key looks secret', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  const out = masker.maskPayload(
    {
      messages: [{ role: 'user', content: `my password=${password} ok` }],
      n: 3,
      ok: true,
      none: null,
      [`password=${password}`]: 'key holds a secret',
    },
    'any',
  );
  assert.equal(out.n, 3);
  assert.equal(out.ok, true);
  assert.equal(out.none, null);
  const text = JSON.stringify(out);
  assert.ok(!text.includes(password));
  assert.match(text, /my password=\[MASKED:password-assignment:[0-9a-f]{6}\] ok/);
  assert.ok('messages' in out);
});

test('rule sets per connection: ip-address off by default, enabled for one connection; disabled rules', () => {
  const masker = createMasker({
    fingerprintKey: 'k',
    disabledRules: ['email'],
    connections: [
      { name: 'ops', masking: { enabled_rules: ['ip-address', 'email'], disabled_rules: [] } },
      {
        name: 'raw',
        masking: { enabled_rules: [], disabled_rules: ['password-assignment', 'high-entropy-token'] },
      },
    ],
  });
  const text = 'from 203.0.113.9 by ann@example.org';
  assert.equal(masker.maskText(text, 'llm'), text);
  assert.match(masker.maskText(text, 'ops'), /\[MASKED:ip-address:[0-9a-f]{6}\] by \[MASKED:email:/);
  assert.equal(masker.maskText(`password=${password}`, 'raw'), `password=${password}`);
  assert.throws(() => createMasker({ fingerprintKey: 'k', disabledRules: ['no-such-rule'] }), /unknown rule/);
});

test('custom rules from the configuration, with group, validator and replacement; allow-list', () => {
  const config = configSchema.parse({
    masking: {
      rules: [
        { id: 'employee-id', pattern: 'EMP-(\\d{6})', group: 1 },
        {
          id: 'internal-card',
          pattern: '\\bIC(\\d{16})\\b',
          group: 1,
          validator: 'luhn',
          replacement: '<{rule}>',
        },
      ],
      allow: [password],
    },
  });
  const masker = createMaskerFromConfig({ config, fingerprintKey: 'k' });
  assert.match(masker.maskText('badge EMP-123456'), /^badge EMP-\[MASKED:employee-id:[0-9a-f]{6}\]$/);
  assert.equal(masker.maskText('IC4111111111111111'), 'IC<internal-card>');
  assert.equal(masker.maskText('IC4111111111111112'), 'IC4111111111111112');
  assert.equal(masker.maskText(`password=${password}`), `password=${password}`);
  assert.throws(
    () => createMasker({ fingerprintKey: 'k', customRules: [{ id: 'bad', pattern: '(a)\\1', group: 1 }] }),
    /back-references/,
  );
});

test('log lines stay valid JSON and lose their secrets', () => {
  const masker = createMasker({ fingerprintKey: 'k' });
  masker.addKnownSecret(password, 'upstream');
  const line = JSON.stringify({
    msg: `connect failed: postgres://u:${password}@h/db`,
    err: `password=${password}\\`,
  });
  const masked = logLineMasker(masker)(line);
  assert.ok(!masked.includes(password));
  assert.doesNotThrow(() => JSON.parse(masked));
});
