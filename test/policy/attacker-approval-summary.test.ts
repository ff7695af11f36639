// Attacker: a held statement whose one-line summary reads differently from what it runs. The
// summary reviewers read (`vigil approvals show`, the inbox, Slack) folded every whitespace run into
// one space, line breaks included; a line break ends a SQL `--` comment (and a shell command), so
// `where id = 1 -- only row 1` + line break + `or true` read as if `or true` were commented out, and
// a reviewer approved an UPDATE of every row. Line breaks now stay in the summary, and every display
// shows them (the CLI as `\n`).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { directClient, type PgFixture, runClient, startPgFixture } from '../postgres/pg-gateway.js';
import { type CliRun, runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_approval_summary',
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

async function pendingRequest(): Promise<ApprovalRecord> {
  for (let i = 0; i < 200; i++) {
    const [found] = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no pending request');
}

test('a line break that ends a -- comment is shown to the reviewer, not folded into the comment', async () => {
  const sql = 'update accounts set balance = 0 where id = 1 -- only row 1\nor true';
  const running = runClient('psql', ['-X', '-A', '-t', '-c', sql], f, TOKENS.alice);
  const held = await pendingRequest();

  const shown = await cli(TOKENS.audrey, 'approvals', 'show', held.id);
  assert.equal(shown.code, 0, shown.stderr);
  const what = shown.stdout.split('\n').find((l) => l.startsWith('what'))!;
  assert.ok(!what.includes('-- only row 1 or true'), `the reviewer reads: ${what}`);
  assert.ok(what.includes('-- only row 1\\nor true'), `the reviewer reads: ${what}`);

  const denied = await cli(TOKENS.audrey, 'approvals', 'deny', held.id, '--reason', 'or true is live');
  assert.equal(denied.code, 0, denied.stderr);
  const run = await running;
  assert.notEqual(run.code, 0);
  const direct = directClient(f);
  await direct.connect();
  const { rows } = await direct.query('select balance from accounts order by id');
  await direct.end();
  assert.deepEqual(
    rows.map((r) => r.balance),
    [100, 200],
  );
});
