// `vigil policy test --call` and `--request`: rules on tool arguments and on HTTP method and path
// tried from the command line, as the MCP and HTTP-API adapters would submit the action.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-samples-'));
const config = join(dir, 'vigil.yaml');
writeFileSync(
  config,
  `data: ${dir}/data
identities:
  - { name: alice, groups: [ai-eng], token_sha256: "${'0'.repeat(64)}" }
connections:
  - { name: tools, type: mcp, upstream: "http://127.0.0.1:1/mcp", allow: ["*"] }
  - { name: api, type: http, upstream: "http://127.0.0.1:1", allow: ["*"] }
policy:
  rules:
    - name: writes-outside-tmp
      match: { events: [mcp.call], tools: [write_file], pattern: '"path":"(?!/tmp/)' }
      action: deny
    - name: no-payments
      match: { events: [http.request], pattern: '^POST /payments' }
      action: deny
`,
);

const policyTest = (...args: string[]) =>
  runCli(['--config', config, 'policy', 'test', '--user', 'alice', ...args]);

test('--call: a rule on argument values denies one path and allows another', async () => {
  const denied = await policyTest(
    '--connection',
    'tools',
    '--call',
    'write_file',
    '--args',
    '{"path":"/etc/passwd"}',
  );
  assert.equal(denied.code, 1, denied.stderr);
  assert.match(denied.stdout, /writes-outside-tmp/);
  const allowed = await policyTest(
    '--connection',
    'tools',
    '--call',
    'write_file',
    '--args',
    '{"path":"/tmp/x"}',
  );
  assert.equal(allowed.code, 0, allowed.stderr);
  const bad = await policyTest('--connection', 'tools', '--call', 'write_file', '--args', '[1]');
  assert.equal(bad.code, 2);
});

test('--request: the canonical path is what the rules see', async () => {
  const denied = await policyTest('--connection', 'api', '--request', 'POST /x/../payments/1');
  assert.equal(denied.code, 1, denied.stderr);
  const allowed = await policyTest('--connection', 'api', '--request', 'GET /payments/1');
  assert.equal(allowed.code, 0, allowed.stderr);
  const wrongConnection = await policyTest('--connection', 'tools', '--request', 'GET /x');
  assert.equal(wrongConnection.code, 2);
});
