// Command-level approval on a real PostgreSQL connection: psql's UPDATE waits on the data path until
// a second identity decides with the CLI; self-approval and outsiders are refused; a denial and a
// timeout leave the table untouched; every step is in the ledger and the ledger verifies.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { actionDigest } from '../../src/core/action-digest.js';
import type { ApprovalRecord } from '../../src/core/ports.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  type Run,
  runClient,
  startPgFixture,
} from '../postgres/pg-gateway.js';
import { type CliRun, runCli } from '../support/cli.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_approvals',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'review-slow-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE'], tables: ['slow_accounts'] },
            action: 'review',
            review: { approvers: ['group:security'], timeout: '1500ms' },
          },
          {
            name: 'review-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE', 'DELETE'] },
            action: 'review',
            reason: 'writes on pg need a second pair of eyes',
            // Long: the tests decide by CLI, several runs in a row, which a loaded machine makes slow.
            review: { approvers: ['group:security', 'group:ai-eng'], required: 1, timeout: '600s' },
          },
        ],
      },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 100), (2, 200);' +
      'create table slow_accounts (id int primary key, balance int); insert into slow_accounts values (1, 100);',
  );
  await direct.end();
});
after(() => f.close());

const cli = (token: string, ...args: string[]): Promise<CliRun> =>
  runCli([...args, '--gateway', f.gateway.url, '--token', token]);

async function balance(table: string, id: number): Promise<number> {
  const direct = directClient(f);
  await direct.connect();
  try {
    return (await direct.query(`select balance from ${table} where id = $1`, [id])).rows[0].balance;
  } finally {
    await direct.end();
  }
}

/** Waits until the gateway holds a pending request from `requester` matching `what`, and returns it. */
async function pendingRequest(requester: string, what: RegExp): Promise<ApprovalRecord> {
  for (let i = 0; i < 200; i++) {
    const list = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    const found = list.find((r) => r.requester.subject === requester && what.test(String(r.subject.summary)));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending request from ${requester} matching ${what}`);
}

function psql(sql: string): Promise<Run> {
  return runClient('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql], f, TOKENS.alice);
}

test('an UPDATE waits for a second identity; self-approval and outsiders are refused; approved, it runs', async () => {
  const running = psql('update accounts set balance = balance - 30 where id = 1');
  const held = await pendingRequest('alice', /update accounts/);
  assert.equal(held.rule, 'review-writes');
  assert.equal(await balance('accounts', 1), 100, 'nothing ran while held');

  const listed = await cli(TOKENS.audrey, 'approvals', 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(held.id));

  const self = await cli(
    TOKENS.alice,
    'approvals',
    'approve',
    '--yes',
    held.id,
    '--reason',
    'looks fine to me',
  );
  assert.equal(self.code, 1, self.stderr);
  assert.match(self.stderr, /approval_self/);
  const outsider = await cli(TOKENS.bob, 'approvals', 'approve', '--yes', held.id, '--reason', 'sure');
  assert.equal(outsider.code, 2, outsider.stderr);
  assert.match(outsider.stderr, /approval_unknown/, 'an outsider cannot even see the request');
  const noReason = await cli(TOKENS.audrey, 'approvals', 'approve', '--yes', held.id);
  assert.equal(noReason.code, 2, 'the reason is mandatory');

  const approved = await cli(
    TOKENS.audrey,
    'approvals',
    'approve',
    '--yes',
    held.id,
    '--reason',
    'ticket OPS-12 checked',
  );
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /now approved/);

  const run = await running;
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`held for approval ${held.id}`),
    'psql showed the notice while waiting',
  );
  assert.equal(await balance('accounts', 1), 70);

  const events = await pgEvents(f);
  const session = events.filter((e) => e.sessionId === held.sessionId);
  const types = session.map((e) => e.type);
  const requested = types.indexOf('approval.requested');
  const decided = types.indexOf('approval.decided');
  const query = session.findIndex(
    (e) => e.type === 'db.query' && /update accounts/.test(String(e.payload?.statement)),
  );
  assert.ok(requested >= 0 && decided > requested && query > decided, types.join(','));
  assert.equal(session[decided]!.identity.subject, 'audrey');
  assert.equal(session[decided]!.payload?.reason, 'ticket OPS-12 checked');
  // The approval is bound to the digest of exactly the statement that ran.
  assert.deepEqual(session[query]!.payload?.approval, {
    id: held.id,
    approved_by: ['audrey'],
    action_digest: actionDigest([String(session[query]!.payload?.statement)]),
  });

  const replay = await runCli(['--data', f.gateway.dataDir, 'replay', held.sessionId]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, new RegExp(`HELD for approval ${held.id} by rule review-writes`));
  assert.match(
    replay.stdout,
    new RegExp(`audrey +APPROVE ${held.id} \\(approved, 1/1\\): ticket OPS-12 checked`),
  );
  assert.match(replay.stdout, new RegExp(`query: update accounts .*\\[approved ${held.id} by audrey\\]`));
});

test('a denied UPDATE returns an error and leaves the table untouched', async () => {
  const running = psql('update accounts set balance = 0 where id = 2');
  const held = await pendingRequest('alice', /balance = 0 where id = 2/);
  const denied = await cli(TOKENS.audrey, 'approvals', 'deny', held.id, '--reason', 'no change ticket');
  assert.equal(denied.code, 0, denied.stderr);
  const run = await running;
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /audrey denied .*no change ticket/);
  assert.equal(await balance('accounts', 2), 200);
  const late = await cli(
    TOKENS.audrey,
    'approvals',
    'approve',
    '--yes',
    held.id,
    '--reason',
    'changed my mind',
  );
  assert.match(late.stderr, /approval_closed/);
});

test('no decision before the timeout denies', async () => {
  const run = await psql('update slow_accounts set balance = 1 where id = 1');
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /in time/);
  assert.equal(await balance('slow_accounts', 1), 100);
  const [record] = await f.gateway.store.approvals.listApprovals({ status: 'expired' });
  assert.equal(record?.rule, 'review-slow-writes');
  const events = await pgEvents(f);
  const outcome = events.find((e) => e.type === 'approval.decided' && e.payload?.approval_id === record?.id);
  assert.equal(outcome?.payload?.outcome, 'timeout');
  assert.equal(outcome?.identity.subject, 'vigil');
});

test('a client that leaves while held withdraws its request', async () => {
  const { vigilClient } = await import('../postgres/pg-gateway.js');
  const client = vigilClient(f, TOKENS.alice, { database: 'vigil' });
  client.on('error', () => undefined);
  await client.connect();
  const pending = client.query('update accounts set balance = 5 where id = 2').catch((e: Error) => e);
  const held = await pendingRequest('alice', /balance = 5 where id = 2/);
  // Ending the socket under a held statement: the gateway notices and withdraws the request.
  (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await pending;
  for (let i = 0; i < 100; i++) {
    const now = await f.gateway.store.approvals.getApproval(held.id);
    if (now?.status !== 'pending') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await f.gateway.store.approvals.getApproval(held.id))?.status, 'withdrawn');
  assert.equal(await balance('accounts', 2), 200);
});

test('the extended protocol: a held Execute runs once approved; a denied one leaves the connection usable', async () => {
  const { vigilClient } = await import('../postgres/pg-gateway.js');
  const client = vigilClient(f, TOKENS.alice, { database: 'vigil' });
  await client.connect();
  const decide = async (id: string, decision: 'approve' | 'deny') => {
    const res = await fetch(`${f.gateway.url}/api/approvals/${id}/${decision}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: `extended ${decision}` }),
    });
    assert.equal(res.status, 200);
  };
  const approved = client.query('update accounts set balance = $1 where id = $2', [55, 1]);
  await decide((await pendingRequest('alice', /balance = \$1 where id = \$2/)).id, 'approve');
  assert.equal((await approved).rowCount, 1);
  assert.equal(await balance('accounts', 1), 55);

  const denied = client
    .query('update accounts set balance = $1 where id = $2', [66, 2])
    .catch((e: Error) => e);
  await decide((await pendingRequest('alice', /balance = \$1 where id = \$2/)).id, 'deny');
  const err = await denied;
  assert.ok(err instanceof Error && /denied/.test(err.message));
  assert.equal((err as Error & { code?: string }).code, '42501');
  assert.equal((await client.query('select $1::int as n', [7])).rows[0].n, 7, 'the connection still works');
  assert.equal(await balance('accounts', 2), 200);
  await client.end();
});

test('every decision is in the ledger and the ledger verifies', async () => {
  await assertLedgerVerifies(f.gateway);
  const events = await pgEvents(f);
  const decisions = events.filter((e) => e.type === 'approval.decided').map((e) => e.payload?.outcome);
  assert.deepEqual([...decisions].sort(), [
    'approved',
    'approved',
    'denied',
    'denied',
    'timeout',
    'withdrawn',
  ]);
  const verify = await runCli(['--data', f.gateway.dataDir, 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
});
