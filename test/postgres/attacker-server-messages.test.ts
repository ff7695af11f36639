// A table's values reaching the client through what the server says besides rows: a notice raised
// by a function made before any rule (`RAISE NOTICE '%', salary`), a NOTIFY payload a trigger
// sends to a channel the session listens to. No rule can see into such a function (the statement
// names no table), so the record is what shows it: the db.result must carry what the client was
// shown. Through the gateway with node-postgres, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { NoticeMessage } from 'pg-protocol/dist/messages.js';
import type { StoredEvent } from '../../src/core/events.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';

const SALARY = 'salary-88123';
let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_server_messages', {}, {}, NO_PAYROLL_READS);
  await direct((c) =>
    c.query(
      'drop table if exists payroll cascade; create table payroll (id int, salary text); ' +
        `insert into payroll values (1, '${SALARY}'); ` +
        // Made before the rule, outside Vigil: the statement that runs it names no table.
        'create or replace function leak() returns int language plpgsql as ' +
        "$$begin raise notice 'pay %', (select salary from payroll limit 1) " +
        "using detail = 'again ' || (select salary from payroll limit 1); return 1; end$$; " +
        'create or replace function ring() returns int language plpgsql as ' +
        "$$begin perform pg_notify('pay', (select salary from payroll limit 1)); return 1; end$$; " +
        'create or replace function chatty(n int) returns int language plpgsql as ' +
        "$$begin for i in 1..n loop raise notice 'n%', i; end loop; return n; end$$; " +
        'create or replace function loud() returns int language plpgsql as ' +
        "$$begin raise notice '%', repeat('x', 2000000); return 1; end$$",
    ),
  );
});
after(() => f.close());

async function direct<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = directClient(f);
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** The session's events, found by its application_name. */
async function sessionEvents(app: string): Promise<StoredEvent[]> {
  const all = await pgEvents(f);
  const start = all.find((e) => e.type === 'session.start' && JSON.stringify(e.payload).includes(app));
  assert.ok(start, `no session ${app}`);
  return all.filter((e) => e.sessionId === start.sessionId);
}

function resultOf(events: readonly StoredEvent[], statement: string): Record<string, unknown> {
  const i = events.findIndex((e) => e.type === 'db.query' && e.payload?.statement === statement);
  const result = events.slice(i).find((e) => e.type === 'db.result');
  assert.ok(i >= 0 && result, `no result for ${statement}`);
  return result.payload as Record<string, unknown>;
}

test('a notice a function raises with a table value is in the record, as the client saw it', async () => {
  const c = vigilClient(f, undefined, { application_name: 'server-messages-notice' });
  const seen: NoticeMessage[] = [];
  c.on('notice', (n) => seen.push(n));
  await c.connect();
  try {
    // The rule holds the table itself.
    await assert.rejects(c.query('SELECT salary FROM payroll'), /denied by rule no-payroll-reads/);
    await c.query('SELECT leak()');
    await c.query('SELECT leak()', []);
  } finally {
    await c.end();
  }
  assert.equal(seen.length, 2);
  assert.equal(seen[0]!.message, `pay ${SALARY}`, 'the client was shown the salary');
  const events = await sessionEvents('server-messages-notice');
  const results = events
    .filter((e) => e.type === 'db.result')
    .map((e) => e.payload as Record<string, unknown>);
  const recorded = results.filter((r) => r.server_messages).map((r) => r.server_messages);
  assert.deepEqual(
    recorded,
    [1, 2].map(() => ({
      count: 1,
      messages: [
        {
          type: 'notice',
          severity: 'NOTICE',
          sqlstate: '00000',
          message: seen[0]!.message,
          detail: seen[0]!.detail,
          context: seen[0]!.where,
        },
      ],
    })),
  );
  assert.equal(resultOf(events, 'SELECT leak()').command_tag, 'SELECT 1');
});

test('a NOTIFY payload the session received is in the record, also when the session ends next', async () => {
  const c = vigilClient(f, undefined, { application_name: 'server-messages-notify' });
  const seen: pg.Notification[] = [];
  c.on('notification', (n) => seen.push(n));
  await c.connect();
  try {
    await c.query('LISTEN pay');
    // Another session (a trigger, a job) sends the salary; the listening client is shown it.
    await direct((d) => d.query('SELECT ring()'));
    await c.query('SELECT 1 AS after_ring');
    await direct((d) => d.query('SELECT ring()'));
    await new Promise<void>((resolve) => {
      const wait = () => (seen.length >= 2 ? resolve() : setTimeout(wait, 20));
      wait();
    });
  } finally {
    await c.end();
  }
  assert.deepEqual(
    seen.map((n) => [n.channel, n.payload]),
    [
      ['pay', SALARY],
      ['pay', SALARY],
    ],
  );
  const events = await sessionEvents('server-messages-notify');
  const notification = (n: pg.Notification) => ({
    type: 'notification',
    pid: n.processId,
    channel: 'pay',
    payload: SALARY,
  });
  // The first came while the client was idle: it is recorded with the next statement's result.
  assert.deepEqual(resultOf(events, 'SELECT 1 AS after_ring').server_messages_before, {
    count: 1,
    messages: [notification(seen[0]!)],
  });
  // The second came just before the client left: the session's end carries it.
  const end = events.find((e) => e.type === 'session.end');
  assert.deepEqual((end?.payload as Record<string, unknown> | undefined)?.server_messages, {
    count: 1,
    messages: [notification(seen[1]!)],
  });
});

test('notices are recorded within bounds: a hundred per statement, a large one by its size', async () => {
  const c = vigilClient(f, undefined, { application_name: 'server-messages-bounds' });
  let large = 0;
  c.on('notice', (n) => {
    if (n.message && n.message.length > 1_000_000) large = n.message.length;
  });
  await c.connect();
  try {
    await c.query('SELECT chatty(150)');
    await c.query('SELECT loud()');
  } finally {
    await c.end();
  }
  assert.equal(large, 2_000_000, 'the client got the whole notice');
  const events = await sessionEvents('server-messages-bounds');
  const many = resultOf(events, 'SELECT chatty(150)').server_messages as {
    count: number;
    messages: { message: string }[];
  };
  assert.equal(many.count, 150);
  assert.deepEqual(
    many.messages.map((m) => m.message),
    Array.from({ length: 100 }, (_, i) => `n${i + 1}`),
  );
  const big = resultOf(events, 'SELECT loud()').server_messages as {
    messages: { message: string }[];
  };
  assert.match(big.messages[0]!.message, /^<notice of \d+ bytes not recorded>$/);
});
