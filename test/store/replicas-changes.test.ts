// Two gateway replicas on one PostgreSQL store tell each other of changes through LISTEN/NOTIFY: a
// statement held on replica A is released by an approval given on replica B, and a user disabled on
// B is cut from A, each within 1 s. Both replicas poll only every 30 s here, so only the
// notification can be that quick; the feed's connection is also cut once, and reconnects.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { withPassword } from '../support/postgres-server.js';
import {
  closeSharedTestPostgres,
  sharedTestPostgres,
  targetDatabaseConnection,
} from '../support/postgres-store.js';

const TABLE = `replica_accounts_${process.pid}`;
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
    identity: { revocation_poll: 30_000 },
    approvals: { poll: 30_000 },
    policy: {
      rules: [
        {
          name: 'review-updates',
          match: { connections: ['db'], statement_kinds: ['UPDATE'] },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '600s' },
        },
      ],
    },
    connections: [targetDatabaseConnection(server)],
  };
  a = await startTestGateway(settings, undefined, { store: 'postgres' });
  // Replica B: the same store and data directory (signing key), its own process state and listeners.
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

function through(gateway: TestGateway, user: 'alice' | 'bob'): pg.Client {
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

async function pending(gateway: TestGateway): Promise<ApprovalRecord> {
  for (let i = 0; i < 400; i++) {
    const [held] = await gateway.store.approvals.listApprovals({ status: 'pending' });
    if (held) return held;
    await sleep(25);
  }
  throw new Error('nothing was held');
}

async function post(gateway: TestGateway, path: string, token: string, body: unknown): Promise<void> {
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

test('an approval given on replica B releases the statement held on replica A within 1 s', async () => {
  assert.notEqual(a.replica.id, b.replica.id);
  const client = through(a, 'alice');
  await client.connect();
  try {
    const update = client.query(`UPDATE ${TABLE} SET balance = balance - 30 WHERE id = 1`);
    const held = await pending(a);
    await post(b, `/api/approvals/${held.id}/approve`, TOKENS.audrey, { reason: 'checked on B' });
    const decided = performance.now();
    await update;
    const released = performance.now() - decided;
    assert.ok(released < 1000, `released ${released.toFixed(0)} ms after the decision on B`);
    assert.equal((await client.query(`SELECT balance FROM ${TABLE} WHERE id = 1`)).rows[0].balance, 70);
  } finally {
    await client.end();
  }
});

test("a user disabled on replica B is cut from replica A within 1 s, after the feed's connection was cut and came back", async () => {
  // Cut every change-feed connection: each gateway reopens its own within a second or so.
  const admin = new pg.Client({ connectionString: a.postgresStore!.url });
  await admin.connect();
  const cut = await admin.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vigil-changes'",
  );
  assert.equal(cut.rowCount, 2, 'each replica listens on one connection');
  let listening = 0;
  for (let i = 0; i < 100 && listening < 2; i++) {
    await sleep(100);
    const { rows } = await admin.query(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'vigil-changes'",
    );
    listening = Number((rows[0] as { n: string }).n);
  }
  await admin.end();
  assert.equal(listening, 2, 'both replicas listen again');
  await sleep(300);

  const bob = through(a, 'bob');
  await bob.connect();
  await bob.query('SELECT 1');
  const ended = new Promise<number>((resolve) => bob.once('end', () => resolve(performance.now())));
  await post(b, '/api/users/bob/disable', TOKENS.alice, { reason: 'left the company' });
  const disabled = performance.now();
  const cutAfter = (await Promise.race([ended, sleep(5000).then(() => Number.POSITIVE_INFINITY)])) - disabled;
  assert.ok(cutAfter < 1000, `bob's session on A was cut ${cutAfter.toFixed(0)} ms after the disable on B`);
  await assert.rejects(bob.query('SELECT 1'));
});
