// `vigil mask-test --explain` says which detector fired and why; --as sql masks values by column.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { generateTestKeys } from '../support/private-keys.js';

test('mask-test --explain names the detector, the entropy and the word or column', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mask-test-'));
  const key = generateTestKeys()[0]!;
  const file = join(dir, 'reply.txt');
  writeFileSync(
    file,
    `The key ends with:\n${key.bodyLines.slice(-2).join('\n')}\n${key.endLine}\nmy token is Xk2ouaTOyzEP7TjXZHq9\n`,
  );
  const run = await runCli(['mask-test', '--explain', file], { VIGIL_CONFIG: '' });
  assert.equal(run.code, 0, run.stderr);
  for (const line of key.bodyLines.slice(-2)) assert.ok(!run.stdout.includes(line), 'a body line is masked');
  assert.match(run.stdout, /key-material .*entropy \d\.\d\d ≥ \d\.\d\d bits\/char/);
  assert.match(run.stdout, /high-entropy-token .*near "token is"/);
  const sql = join(dir, 'q.sql');
  writeFileSync(sql, "UPDATE users SET password = 'pw1', name = 'Ann' WHERE id = 7");
  const sqlRun = await runCli(['mask-test', '--explain', '--as', 'sql', sql], { VIGIL_CONFIG: '' });
  assert.equal(sqlRun.code, 0, sqlRun.stderr);
  assert.match(sqlRun.stdout, /SET password = '\[MASKED:secret-column:[0-9a-f]{6}\]', name = 'Ann'/);
  assert.match(sqlRun.stdout, /secret-column .*column password/);
});

test('mask-test reads a text as the gateway masks a recorded value: fields inside it are masked too', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mask-test-'));
  // Values of words, which no text rule recognises: only their field names say secret. Until 6
  // December mask-test said "nothing masked" here while the gateway masked both.
  const file = join(dir, 'pasted.txt');
  writeFileSync(
    file,
    'DB_HOST=db.internal\nSTRIPE_API_KEY=harvest-moon-lantern\n<login><user>ann</user><password>blue river stone</password></login>\n',
  );
  const run = await runCli(['mask-test', '--explain', file], { VIGIL_CONFIG: '' });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!run.stdout.includes('harvest-moon-lantern'), run.stdout);
  assert.ok(!run.stdout.includes('blue river stone'), run.stdout);
  assert.ok(run.stdout.includes('DB_HOST=db.internal'), 'a field not named secret stays readable');
  assert.match(run.stdout, /secret-field .*field STRIPE_API_KEY/);
  assert.match(run.stdout, /secret-field .*field password/);
});
