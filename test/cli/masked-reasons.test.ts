// A reason typed for offboarding someone (`vigil users disable --reason`) is stored in the shared
// store, listed by `vigil users list` and GET /api/users/disabled, and quoted when sessions are cut:
// a key quoted in it must be masked before the store sees it, as decision and request reasons are.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

const KEY = 'sk-proj-Rq7XvN2mB7kL4pR9tW3yH6cJ1dF5gA0sT8uV';

test('vigil users disable stores the reason masked', async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-reason-'));
  const disabled = await runCli([
    '--data',
    data,
    'users',
    'disable',
    'carol',
    '--reason',
    `left; key ${KEY} rotated`,
  ]);
  assert.equal(disabled.code, 0, disabled.stderr);
  const listed = await runCli(['--data', data, 'users', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(KEY), `the stored reason holds the key masked: ${listed.stdout}`);
  const [entry] = JSON.parse(listed.stdout) as { subject: string; reason: string }[];
  assert.equal(entry?.subject, 'carol');
  assert.match(entry!.reason, /^left; key \[MASKED:openai-key:[0-9a-f]{6}\] rotated$/);
});
