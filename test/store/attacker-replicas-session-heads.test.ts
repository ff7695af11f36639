// Two gateway replicas on one PostgreSQL store both write into one session: a held statement's
// session belongs to the replica that holds it, but a reviewer's decision is recorded in that
// session by whichever replica the reviewer reached. The holding replica's next event in that
// session must chain onto the decision the other replica stored, whatever else it committed in
// between. Until 6 December it chained onto the head it remembered, the store refused the write
// (the session's sequence number was taken) and, as its own commits had kept its view of the log's
// size current, it did not re-read the heads: the second reviewer could not decide on A, and the
// requester's connection on A answered every later statement with record_failed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { withPassword } from '../support/postgres-server.js';
import {
  closeSharedTestPostgres,
  sharedTestPostgres,
  targetDatabaseConnection,
} from '../support/postgres-store.js';

const TABLE = `heads_accounts_${process.pid}`;
let a: TestGateway;
let b: TestGateway;
let targetUrl: string;

before(async () => {
  const server = await sharedTestPostgres();
  targetUrl = withPassword(server.url, server.password);
  const direct = new pg.Client({ connectionString: targetUrl });
  await direct.connect();
  await direct.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id int primary key, balance int)`);
  await direct.query(`TRUNCATE ${TABLE}; INSERT INTO ${TABLE} VALUES (1, 100)`);
  await direct.end();
  const settings = {
    policy: {
      rules: [
        {
          name: 'two-person-updates',
          match: { connections: ['db'], statement_kinds: ['UPDATE'] },
          action: 'review',
          review: { approvers: ['group:security', 'group:ai-eng'], required: 2, timeout: '600s' },
        },
        {
          name: 'review-deletes',
          match: { connections: ['db'], statement_kinds: ['DELETE'] },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '600s' },
        },
      ],
    },
    connections: [targetDatabaseConnection(server)],
  };
  a = await startTestGateway(settings, undefined, { store: 'postgres' });
  b = await startTestGateway({ ...settings, store: a.postgresStore!.section }, a.dataDir);
});
after(async () => {
  await b?.close();
  await a?.close();
  const direct = new pg.Client({ connectionString: targetUrl });
  await direct.connect();
  await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await direct.end();
  await closeSharedTestPostgres();
});

function through(gateway: TestGateway, user: 'alice' | 'bob' | 'etl'): pg.Client {
  const address = gateway.listeners.find((l) => l.connection === 'db')!.address;
  const c = new pg.Client({
    host: '127.0.0.1',
    port: Number(address.split(':').at(-1)),
    user,
    database: 'postgres',
    password: TOKENS[user],
  });
  c.on('error', () => undefined);
  return c;
}

/** The pending request whose held statement starts with `what`. */
async function pending(gateway: TestGateway, what: string): Promise<ApprovalRecord> {
  for (let i = 0; i < 400; i++) {
    const list = await gateway.store.approvals.listApprovals({ status: 'pending' });
    const held = list.find((r) => String(r.subject.summary).startsWith(what));
    if (held) return held;
    await sleep(25);
  }
  throw new Error('nothing was held');
}

function decide(gateway: TestGateway, id: string, token: string, how: 'approve' | 'deny'): Promise<Response> {
  return fetch(`${gateway.url}/api/approvals/${id}/${how}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'checked' }),
  });
}

test('a decision recorded on replica B in a session of replica A does not break that session on A', async () => {
  const bob = through(a, 'bob');
  const etl = through(a, 'etl');
  await bob.connect();
  await etl.connect();
  try {
    const update = bob.query(`UPDATE ${TABLE} SET balance = balance - 30 WHERE id = 1`);
    // Awaited below; a failure before then must fail the test by its assertion, not as unhandled.
    update.catch(() => undefined);
    const held = await pending(a, 'UPDATE');
    // The first of two approvals, given on B: B records it in bob's session, which A is writing.
    const first = await decide(b, held.id, TOKENS.audrey, 'approve');
    assert.equal(first.status, 200, await first.text());
    // Other traffic on A commits after it, so A's view of the log's size is current again.
    await etl.query('SELECT 1');
    await a.recorder.drain();
    // The second approval, given on A: recorded in the same session, then the statement runs.
    const second = await decide(a, held.id, TOKENS.alice, 'approve');
    assert.equal(second.status, 200, await second.text());
    await update;
    assert.equal((await bob.query(`SELECT balance FROM ${TABLE} WHERE id = 1`)).rows[0].balance, 70);
    // Other sessions on A keep being recorded.
    await etl.query('SELECT 2');
  } finally {
    await bob.end().catch(() => undefined);
    await etl.end().catch(() => undefined);
  }
  await assertLedgerVerifies(a);
});

test("a requester's session on replica A goes on after a reviewer on replica B denied its statement", async () => {
  const bob = through(a, 'bob');
  const etl = through(a, 'etl');
  await bob.connect();
  await etl.connect();
  try {
    const removal = bob.query(`DELETE FROM ${TABLE} WHERE id = 1`);
    removal.catch(() => undefined); // awaited below
    const held = await pending(a, 'DELETE');
    const denied = await decide(b, held.id, TOKENS.audrey, 'deny');
    assert.equal(denied.status, 200, await denied.text());
    await assert.rejects(removal, /denied/);
    // Other traffic on A commits after the denial B recorded in bob's session.
    await etl.query('SELECT 1');
    await a.recorder.drain();
    // bob goes on working on the same connection.
    assert.equal((await bob.query('SELECT 41 + 1 AS n')).rows[0].n, 42);
    assert.equal((await bob.query(`SELECT balance FROM ${TABLE} WHERE id = 1`)).rowCount, 1);
  } finally {
    await bob.end().catch(() => undefined);
    await etl.end().catch(() => undefined);
  }
  await assertLedgerVerifies(a);
});
