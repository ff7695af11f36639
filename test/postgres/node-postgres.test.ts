import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, pgEvents, runClient, startPgFixture, vigilClient } from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_node_pg', {
    guardrails: { deny_statements: ['DROP', 'TRUNCATE'], deny_unbounded_writes: true },
    record_rows: 3,
  });
});
after(() => f.close());

const queriesOf = async (sessionId: string) =>
  (await pgEvents(f)).filter(
    (e) => e.sessionId === sessionId && (e.type === 'db.query' || e.type === 'db.result'),
  );

async function sessionIdOf(client: { query(q: string): Promise<{ rows: { a: string }[] }> }, marker: string) {
  await client.query(`select '${marker}' as a`);
  const events = await pgEvents(f);
  return events.find((e) => e.type === 'db.query' && e.payload?.statement === `select '${marker}' as a`)!
    .sessionId;
}

test('parameterised queries and named prepared statements, recorded with their parameters in order', async () => {
  const client = vigilClient(f);
  await client.connect();
  const sessionId = await sessionIdOf(client, 'm1');
  await client.query('create table items (id int primary key, name text, price numeric)');
  await client.query('insert into items (id, name, price) values ($1, $2, $3)', [1, 'apple', '1.50']);
  await client.query({
    name: 'add-item',
    text: 'insert into items (id, name, price) values ($1, $2, $3)',
    values: [2, 'pear', null],
  });
  await client.query({
    name: 'add-item',
    text: 'insert into items (id, name, price) values ($1, $2, $3)',
    values: [3, 'fig', '9'],
  });
  const { rows } = await client.query('select id, name from items where id >= $1 order by id', [2]);
  assert.deepEqual(rows, [
    { id: 2, name: 'pear' },
    { id: 3, name: 'fig' },
  ]);
  await client.end();
  const events = await queriesOf(sessionId);
  const queries = events
    .filter((e) => e.type === 'db.query')
    .map((e) => [
      e.payload?.statement,
      e.payload?.parameters,
      e.payload?.statement_name,
      e.payload?.protocol,
    ]);
  assert.deepEqual(queries.slice(1), [
    ['create table items (id int primary key, name text, price numeric)', [], null, 'simple'],
    ['insert into items (id, name, price) values ($1, $2, $3)', ['1', 'apple', '1.50'], '', 'extended'],
    ['insert into items (id, name, price) values ($1, $2, $3)', ['2', 'pear', null], 'add-item', 'extended'],
    ['insert into items (id, name, price) values ($1, $2, $3)', ['3', 'fig', '9'], 'add-item', 'extended'],
    ['select id, name from items where id >= $1 order by id', ['2'], '', 'extended'],
  ]);
  const last = events.at(-1)!;
  assert.equal(last.type, 'db.result');
  assert.equal(last.payload?.command_tag, 'SELECT 2');
  assert.deepEqual(last.payload?.columns, ['id', 'name']);
  assert.deepEqual(last.payload?.rows, [
    ['2', 'pear'],
    ['3', 'fig'],
  ]);
});

test('pipelining: queries sent without waiting all answer, in order, with a denial in the middle', async () => {
  const client = vigilClient(f, TOKENS.alice, { pipeline: true } as object);
  await client.connect();
  const results = await Promise.allSettled([
    client.query('select $1::int as n', [1]),
    client.query('select $1::int as n', [2]),
    client.query('truncate items'),
    client.query('select $1::int as n', [4]),
    client.query('select count(*)::int as n from items'),
  ]);
  await client.end();
  assert.equal(results[0].status === 'fulfilled' && results[0].value.rows[0].n, 1);
  assert.equal(results[1].status === 'fulfilled' && results[1].value.rows[0].n, 2);
  assert.equal(results[2].status, 'rejected');
  const err = (results[2] as PromiseRejectedResult).reason as { code: string; message: string };
  assert.equal(err.code, '42501');
  assert.match(err.message, /deny_statements:TRUNCATE/);
  assert.equal(results[3].status === 'fulfilled' && results[3].value.rows[0].n, 4);
  assert.equal(results[4].status === 'fulfilled' && results[4].value.rows[0].n, 3);
});

test('DROP TABLE is denied with 42501 and the table stays; DELETE needs a WHERE', async () => {
  const client = vigilClient(f);
  await client.connect();
  await assert.rejects(client.query('drop table items'), (e: { code: string; message: string }) => {
    assert.equal(e.code, '42501');
    assert.match(e.message, /DROP statements are not allowed/);
    return true;
  });
  await assert.rejects(client.query('delete from items'), { code: '42501' });
  // Also when hidden in a CTE or behind a harmless first statement.
  await assert.rejects(client.query('with d as (delete from items returning *) select * from d'), {
    code: '42501',
  });
  await assert.rejects(client.query('select 1; drop table items'), { code: '42501' });
  // The session goes on.
  assert.equal((await client.query('select count(*)::int as n from items')).rows[0].n, 3);
  assert.equal((await client.query('delete from items where id = $1', [3])).rowCount, 1);
  assert.equal((await client.query('select count(*)::int as n from items')).rows[0].n, 2);
  await client.end();
});

test('transactions: rollback undoes, an error inside a block fails it until rollback', async () => {
  const client = vigilClient(f);
  await client.connect();
  await client.query('begin');
  await client.query('insert into items (id, name, price) values (10, $1, 1)', ['tmp']);
  await client.query('rollback');
  assert.equal((await client.query('select count(*)::int as n from items where id = 10')).rows[0].n, 0);
  await client.query('begin');
  await assert.rejects(client.query('select 1/0'));
  await assert.rejects(client.query('select 1'), { code: '25P02' });
  await client.query('rollback');
  assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
  await client.end();
});

test('COPY FROM STDIN and TO STDOUT (psql \\copy) run through Vigil and are recorded', async () => {
  const input = Array.from({ length: 50 }, (_, i) => `${100 + i}\tcopied-${i}\t${i}`).join('\n');
  const copyIn = await runClient(
    'psql',
    ['-X', '-c', '\\copy items from stdin'],
    f,
    TOKENS.alice,
    `${input}\n\\.\n`,
  );
  assert.equal(copyIn.stderr, '');
  assert.match(copyIn.stdout, /COPY 50/);
  const copyOut = await runClient(
    'psql',
    ['-X', '-c', '\\copy (select id, name from items where id >= 100 order by id) to stdout'],
    f,
    TOKENS.alice,
  );
  assert.equal(copyOut.stdout.trim().split('\n').length, 50);
  assert.equal(copyOut.stdout.split('\n')[0], '100\tcopied-0');
  const events = await pgEvents(f);
  const copies = events.filter(
    (e) => e.type === 'db.result' && String(e.payload?.command_tag).startsWith('COPY'),
  );
  assert.deepEqual(
    copies.map((e) => e.payload?.command_tag),
    ['COPY 50', 'COPY 50'],
  );
});

test('notices and notifications pass through', async () => {
  const listener = vigilClient(f);
  await listener.connect();
  const notices: string[] = [];
  listener.on('notice', (n) => notices.push(n.message ?? ''));
  const got = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.payload ?? '')));
  await listener.query('listen vigil_channel');
  await listener.query("do $$ begin raise notice 'hello notice'; end $$");
  const sender = vigilClient(f);
  await sender.connect();
  await sender.query("select pg_notify('vigil_channel', 'ping')");
  assert.equal(await got, 'ping');
  assert.deepEqual(notices, ['hello notice']);
  await sender.end();
  await listener.end();
});

test('cancel requests reach the upstream through the key Vigil handed out', async () => {
  const client = vigilClient(f);
  await client.connect();
  const slow = client.query('select pg_sleep(30)');
  await new Promise((r) => setTimeout(r, 300));
  const pg = await import('pg');
  // node-postgres cancels by opening a second connection with the backend key it was given.
  const con = new (
    pg.default.Client as unknown as new (
      o: object,
    ) => { cancel(c: unknown, q: unknown): void }
  )({
    host: f.host,
    port: f.port,
  });
  con.cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
  await assert.rejects(slow, { code: '57014' });
  await client.end();
});
