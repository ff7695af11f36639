// `vigil policy test` run as a user would: a child process on a temporary vigil.yaml, judged by
// its output and its exit code (0 allowed, 1 denied or held for review, 2 usage error).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const CONFIG = `
identities:
  - name: alice
    groups: [dba]
    token_sha256: "${'0'.repeat(64)}"
connections:
  - name: pg-prod
    type: postgres
    upstream: postgres://db.internal:5432/app
    listen: 127.0.0.1:6543
    allow: ["*"]
    guardrails:
      deny_statements: [TRUNCATE]
  - name: my-prod
    type: mysql
    upstream: mysql://app@db.internal:3306/app
    listen: 127.0.0.1:13306
    allow: ["*"]
    guardrails:
      deny_statements: [TRUNCATE]
  - name: openai
    type: llm-openai
    upstream: https://api.openai.com
    allow: ["*"]
  - name: claude
    type: llm-anthropic
    upstream: https://api.anthropic.com
    allow: ["*"]
policy:
  default: allow
  rules:
    - name: alert-prod-writes
      match: { connections: ["pg-*"], statement_kinds: [insert, update, delete] }
      action: alert
      reason: a write on production
    - name: review-user-deletes
      match: { connections: [pg-prod], statement_kinds: [DELETE], tables: [users] }
      action: review
      reason: deleting users needs a second pair of eyes
      review: { approvers: ["group:dba"], required: 2, timeout: 10m }
    - name: no-drops
      match: { statement_kinds: [DROP] }
      action: deny
      reason: schema changes go through migrations
    - name: no-passwords-in-prompts
      match: { events: [llm.request], pattern: "(?i)password\\\\s*[:=]" }
      action: deny
      reason: prompts must not carry passwords
    - name: shell-tools-need-review
      match: { models: ["claude-*"], tools: ["bash"] }
      action: review
      review: { approvers: ["user:secops"] }
`;

const dir = mkdtempSync(join(tmpdir(), 'vigil-policy-test-'));
const configPath = join(dir, 'vigil.yaml');
writeFileSync(configPath, CONFIG);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function vigil(args: readonly string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/run.ts', '--config', configPath, 'policy', 'test', ...args],
      // Generous: CLIs run in parallel here, and a loaded machine starts each slowly.
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin!.end(stdin ?? '');
  });
}

const sql = (statement: string, ...more: string[]) =>
  vigil(['--connection', 'pg-prod', '--user', 'alice', '--sql', statement, ...more]);

test('--sql: allowed, held for review, denied by a rule, denied by a guardrail', {
  timeout: 240_000,
}, async () => {
  const [select, del, drop, truncate] = await Promise.all([
    sql('SELECT * FROM users'),
    sql('DELETE FROM public.users WHERE id = 7'),
    sql('DROP TABLE orders'),
    sql('TRUNCATE audit_log'),
  ]);

  assert.match(select.stdout, /^decision\s+allow$/m);
  assert.match(select.stdout, /^decided by\s+the default/m);
  assert.equal(select.code, 0, select.stderr);

  assert.match(del.stdout, /^action\s+db\.query on pg-prod by user:alice \(groups: dba\)$/m);
  assert.match(del.stdout, /^decision\s+review \(held for approval\)$/m);
  assert.match(del.stdout, /^decided by\s+rule review-user-deletes$/m);
  assert.match(del.stdout, /^reason\s+deleting users needs a second pair of eyes$/m);
  assert.match(del.stdout, /^review\s+2 of group:dba within 10m$/m);
  assert.match(del.stdout, /^alert\s+alert-prod-writes: a write on production$/m);
  assert.equal(del.code, 1, 'held for review exits 1');

  assert.match(drop.stdout, /^decision\s+deny$/m);
  assert.match(drop.stdout, /^decided by\s+rule no-drops$/m);
  assert.equal(drop.code, 1);

  assert.match(truncate.stdout, /^decided by\s+guardrail deny_statements:TRUNCATE of connection pg-prod$/m);
  assert.equal(truncate.code, 1);
});

test('--prompt: a pattern denies, a clean prompt passes, tools and models match', {
  timeout: 240_000,
}, async () => {
  const [secret, clean, tools] = await Promise.all([
    vigil([
      '--connection',
      'openai',
      '--user',
      'bob',
      '--prompt',
      'log in with PASSWORD: hunter2',
      '--model',
      'gpt-4o',
    ]),
    vigil([
      '--connection',
      'openai',
      '--user',
      'bob',
      '--prompt',
      'summarize the meeting',
      '--model',
      'gpt-4o',
    ]),
    vigil([
      '--connection',
      'claude',
      '--user',
      'bob',
      '--prompt',
      'tidy /tmp',
      '--model',
      'claude-sonnet-4',
      '--tool',
      'bash',
      '--json',
    ]),
  ]);

  assert.match(secret.stdout, /^action\s+llm\.request on openai by user:bob$/m);
  assert.match(secret.stdout, /^decided by\s+rule no-passwords-in-prompts$/m);
  assert.match(secret.stdout, /^reason\s+prompts must not carry passwords$/m);
  assert.equal(secret.code, 1);

  assert.match(clean.stdout, /^decision\s+allow$/m);
  assert.equal(clean.code, 0);

  const json = JSON.parse(tools.stdout) as Record<string, unknown>;
  assert.equal(json.decision, 'review');
  assert.equal(json.decidedBy, 'shell-tools-need-review');
  assert.equal(json.reason, 'rule shell-tools-need-review matched');
  assert.deepEqual(json.review, { approvers: ['user:secops'], required: 1, timeoutMs: 300_000 });
  assert.equal(tools.code, 1);
});

test('--explain lists every rule; --event reads an action from standard input', {
  timeout: 240_000,
}, async () => {
  const event = {
    type: 'db.query',
    connection: 'pg-prod',
    identity: { subject: 'etl', kind: 'service' },
    payload: { statement: 'UPDATE orders SET state = 1' },
  };
  const [explained, fromStdin] = await Promise.all([
    sql('DROP TABLE orders', '--explain'),
    vigil(['--event', '-', '--json', '--explain'], JSON.stringify(event)),
  ]);

  assert.match(explained.stdout, /^RULE\s+ACTION\s+MATCH$/m);
  assert.match(explained.stdout, /^alert-prod-writes\s+alert\s+no \(statement_kinds\)$/m);
  assert.match(explained.stdout, /^no-drops\s+deny\s+matched$/m);
  assert.match(explained.stdout, /^no-passwords-in-prompts\s+deny\s+no \(events\)$/m);

  const json = JSON.parse(fromStdin.stdout) as {
    decision: string;
    alerts: unknown[];
    rules: { rule: string; matched: boolean }[];
  };
  assert.equal(json.decision, 'allow');
  assert.deepEqual(json.alerts, [{ rule: 'alert-prod-writes', reason: 'a write on production' }]);
  assert.deepEqual(
    json.rules.filter((r) => r.matched).map((r) => r.rule),
    ['alert-prod-writes'],
    'the statement was classified as the gateway would (UPDATE on orders)',
  );
  assert.equal(fromStdin.code, 0);
});

test('usage errors exit 2 and say what is wrong; the help states the exit codes', {
  timeout: 240_000,
}, async () => {
  const [help, none, wrongKind, unknown, badEvent] = await Promise.all([
    vigil(['--help']),
    vigil(['--connection', 'pg-prod', '--user', 'alice']),
    vigil(['--connection', 'openai', '--user', 'alice', '--sql', 'SELECT 1']),
    vigil(['--connection', 'pg-nowhere', '--user', 'alice', '--sql', 'SELECT 1']),
    vigil(['--event', '-'], '{"type": "db.query"}'),
  ]);
  assert.match(
    help.stdout,
    /Exit code: 0 allowed, 1 denied or held for review, 2 usage or configuration error/,
  );
  assert.equal(help.code, 0);
  // Every registered module's sample input is offered.
  assert.match(none.stderr, /give one of --event FILE, .* \[usage\]/);
  for (const input of ['--sql TEXT', '--prompt TEXT']) assert.ok(none.stderr.includes(input), none.stderr);
  assert.match(
    wrongKind.stderr,
    /--sql needs a postgres or mysql connection; openai is llm-openai \[usage\]/,
  );
  assert.match(unknown.stderr, /no connection named pg-nowhere .*known: pg-prod, my-prod, openai, claude/);
  assert.match(badEvent.stderr, /connection: .*\[usage\]/);
  for (const run of [none, wrongKind, unknown, badEvent]) assert.equal(run.code, 2, run.stderr);
});

test('--sql on a MySQL connection: classified by the MySQL module, executable comments included', {
  timeout: 240_000,
}, async () => {
  const my = (statement: string) => vigil(['--connection', 'my-prod', '--user', 'alice', '--sql', statement]);
  const [select, hidden, truncate] = await Promise.all([
    my('SELECT * FROM users WHERE id = 1'),
    my('SELECT 1 /*! ; DROP TABLE orders */'),
    my('/*!40000 TRUNCATE audit_log */'),
  ]);
  assert.match(select.stdout, /^decision\s+allow$/m);
  assert.equal(select.code, 0, select.stderr);
  assert.match(hidden.stdout, /^decided by\s+rule no-drops$/m);
  assert.equal(hidden.code, 1);
  assert.match(truncate.stdout, /^decision\s+deny$/m);
  assert.match(truncate.stdout, /deny_statements:TRUNCATE/);
  assert.equal(truncate.code, 1);
  // The openai connection is neither: --sql names both modules that take it.
  const wrong = await vigil(['--connection', 'openai', '--user', 'alice', '--sql', 'select 1']);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--sql needs a postgres or mysql connection/);
});
