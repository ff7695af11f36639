// Attacker: a held statement whose beginning reads harmless. A request's summary is cut at 400
// characters, so `UPDATE … WHERE id = 1 /* 400 characters */ OR true` showed a CLI reviewer only its
// harmless beginning in `vigil approvals show`, and `vigil approvals approve` approved it without
// showing anything; the list folded a line break into a space, so `-- only row 1`, a break and
// `or true` read as one commented-out line. Now `show` prints the whole held action (the route the
// console reads), inert, breaks kept; the list shows breaks as `\n`; and `approve` shows the request
// whole and asks on a terminal, refusing without one unless `--yes` is given.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { directClient, type PgFixture, type Run, runClient, startPgFixture } from '../postgres/pg-gateway.js';
import { type CliRun, runCli, runProcess } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { firstUnsafe } from './terminal-unsafe.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_cli_whole_action',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'review-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE'] },
            action: 'review',
            review: { approvers: ['group:security'], timeout: '600s' },
          },
        ],
      },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 100), (2, 200);',
  );
  await direct.end();
});
after(() => f.close());

const cli = (token: string, ...args: string[]): Promise<CliRun> =>
  runCli([...args, '--gateway', f.gateway.url, '--token', token]);

/** psql as alice: the statement is held until a reviewer decides. */
function psql(sql: string): Promise<Run> {
  return runClient('psql', ['-X', '-A', '-t', '-c', sql], f, TOKENS.alice);
}

async function pendingRequest(marker: string): Promise<ApprovalRecord> {
  for (let i = 0; i < 200; i++) {
    const list = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    const found = list.find((r) => String(r.subject.summary).includes(marker));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending request with ${marker}`);
}

async function balances(): Promise<number[]> {
  const direct = directClient(f);
  await direct.connect();
  try {
    return (await direct.query('select balance from accounts order by id')).rows.map((r) => r.balance);
  } finally {
    await direct.end();
  }
}

/** Denies the request and checks that nothing ran. */
async function deny(held: ApprovalRecord, running: Promise<Run>): Promise<void> {
  const denied = await cli(TOKENS.audrey, 'approvals', 'deny', held.id, '--reason', 'not this');
  assert.equal(denied.code, 0, denied.stderr);
  assert.notEqual((await running).code, 0);
  assert.deepEqual(await balances(), [100, 200]);
}

/** The recorded lines of the action block, gutter removed. */
function statementLines(shown: string): string[] {
  const lines = shown.split('\n');
  const start = lines.indexOf('  statement');
  assert.ok(start >= 0, `no statement block:\n${shown}`);
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('    │ ')) break;
    block.push(line.slice('    │ '.length));
  }
  return block;
}

test('show prints the whole held statement, past the 400 characters of its summary', async () => {
  const padding = `/* ${'x'.repeat(420)} */`;
  const sql = `UPDATE accounts SET balance = 0 WHERE id = 1 ${padding} OR true`;
  const running = psql(sql);
  const held = await pendingRequest('WHERE id = 1 /* xxx');
  assert.ok(!String(held.subject.summary).includes('OR true'), 'the summary is cut before the tail');

  const shown = await cli(TOKENS.audrey, 'approvals', 'show', held.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(firstUnsafe(shown.stdout), null);
  assert.deepEqual(statementLines(shown.stdout), [sql]);
  assert.match(shown.stdout, /^type +db\.query$/m);
  assert.match(shown.stdout, /^requester +alice$/m);
  assert.match(shown.stdout, /^rule +review-writes$/m);
  await deny(held, running);
});

test('a line break is kept: shown as \\n in the list, as a new line in show', async () => {
  const running = psql('update accounts set balance = 0 -- only row 1\nor true');
  const held = await pendingRequest('-- only row 1');

  const listed = await cli(TOKENS.audrey, 'approvals');
  assert.equal(listed.code, 0, listed.stderr);
  const row = listed.stdout.split('\n').find((l) => l.startsWith(held.id));
  assert.ok(row, listed.stdout);
  assert.ok(!row.includes('-- only row 1 or true'), `the list reads: ${row}`);
  assert.ok(row.includes('-- only row 1\\nor true'), `the list reads: ${row}`);

  const shown = await cli(TOKENS.audrey, 'approvals', 'show', held.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(statementLines(shown.stdout), [
    'update accounts set balance = 0 -- only row 1',
    'or true',
  ]);
  await deny(held, running);
});

test('control, bidi and invisible characters of the held action are shown inert', async () => {
  const sql =
    'update accounts set balance = 0 /* \x1b[2J\x1b]0;owned\x07 \u202eeurt ro\u202c zero\u200bwidth */ where id = 1';
  const running = psql(sql);
  const held = await pendingRequest('zero');

  const shown = await cli(TOKENS.audrey, 'approvals', 'show', held.id);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(firstUnsafe(shown.stdout), null, `show printed ${firstUnsafe(shown.stdout)}`);
  assert.deepEqual(statementLines(shown.stdout), [
    'update accounts set balance = 0 /* \\u{1B}[2J\\u{1B}]0;owned\\u{7} \\u{202E}eurt ro\\u{202C} zero\\u{200B}width */ where id = 1',
  ]);
  await deny(held, running);
});

test('approve without a terminal needs --yes; on a terminal it shows the whole action and asks', async () => {
  const padding = `/* ${'y'.repeat(420)} */`;
  const sql = `update accounts set balance = 7 where id = 1 ${padding} or true`;
  const running = psql(sql);
  const held = await pendingRequest('where id = 1 /* yyy');

  const blind = await cli(TOKENS.audrey, 'approvals', 'approve', held.id, '--reason', 'looks harmless');
  assert.equal(blind.code, 2, blind.stderr);
  assert.match(blind.stderr, /--yes/);
  assert.match(blind.stderr, /\[usage\]/);
  assert.equal((await f.gateway.store.approvals.getApproval(held.id))?.status, 'pending');

  // A terminal (script(1) gives the CLI one): the reviewer reads the tail, answers no.
  const onTerminal = (answer: string) =>
    runProcess(
      'script',
      [
        '-qec',
        [
          process.execPath,
          '--import',
          'tsx',
          'src/cli/run.ts',
          'approvals',
          'approve',
          held.id,
          '--reason',
          'read-it',
          '--gateway',
          f.gateway.url,
          '--token',
          TOKENS.audrey,
        ].join(' '),
        '/dev/null',
      ],
      { VIGIL_TOKEN: '', VIGIL_GATEWAY: '', XDG_CONFIG_HOME: '/nonexistent' },
      answer,
    );
  const declined = await onTerminal('no\n');
  const screen = declined.stdout.replace(/\r/g, '');
  assert.ok(screen.includes(`    │ ${sql}`), `the terminal showed:\n${screen}`);
  assert.match(screen, /type yes to approve/);
  assert.match(screen, /not approved/);
  assert.equal((await f.gateway.store.approvals.getApproval(held.id))?.status, 'pending');

  // Answered yes, it is approved and runs (every row: the reviewer read `or true`).
  const approved = await onTerminal('yes\n');
  assert.match(approved.stdout, /now approved/, approved.stdout);
  assert.equal((await running).code, 0);
  assert.deepEqual(await balances(), [7, 7]);
});
