// The strict guardrail preset through a real gateway and a real PostgreSQL: what an agent could use
// to hide SQL or reach outside the database is refused with 42501 and never reaches the server,
// ordinary reads and bounded writes run, and a second connection without the preset (for a DBA
// group) still runs `pgbench -i`, which strict refuses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { EventDraft, StoredEvent } from '../../src/core/events.js';
import { demoConfig } from '../../src/demo/demo-config.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import type { PostgresConnectionConfig } from '../../src/protocols/postgres/config.js';
import { SqlClassifier } from '../../src/protocols/postgres/sql-classifier.js';
import { parseConfigText } from '../../src/server/load-config.js';
import { buildGuards } from '../../src/server/protocol-modules.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';
import { runClient } from './pg-gateway.js';

let server: TestPostgres;
let gateway: TestGateway;
let directUrl: string;
const endpoints = new Map<string, { host: string; port: number }>();

before(async () => {
  server = await startTestPostgres();
  directUrl = await createScratchDatabase(server, 'vigil_strict');
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  const connection = (name: string, extra: Record<string, unknown>) => ({
    name,
    type: 'postgres',
    listen: '127.0.0.1:0',
    upstream: directUrl,
    ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
    ...extra,
  });
  gateway = await startTestGateway({
    connections: [
      connection('pg-agent', { allow: ['*'], guardrails: { preset: 'strict' } }),
      // The documented way to keep pgbench -i and other DBA work: a connection without the preset
      // that only the DBA group (here alice's ai-eng) may use.
      connection('pg-dba', { allow: ['group:ai-eng'] }),
    ],
  });
  for (const l of gateway.listeners) {
    const i = l.address.lastIndexOf(':');
    endpoints.set(l.connection, { host: l.address.slice(0, i), port: Number(l.address.slice(i + 1)) });
  }
  const direct = await directClient();
  await direct.query('create table t (id int primary key, v text)');
  await direct.query("insert into t values (1, 'a'), (2, 'b'), (3, 'c')");
  await direct.end();
});
after(async () => {
  await gateway?.close();
  await server?.close();
});

async function directClient(): Promise<pg.Client> {
  const c = new pg.Client({
    connectionString: withPassword(directUrl, server.password),
  });
  await c.connect();
  return c;
}

async function through(connection: string, token = TOKENS.alice): Promise<pg.Client> {
  const e = endpoints.get(connection);
  assert.ok(e, connection);
  const c = new pg.Client({ host: e.host, port: e.port, user: 'alice', database: 'x', password: token });
  await c.connect();
  return c;
}

async function rowsOfT(): Promise<string[]> {
  const direct = await directClient();
  const { rows } = await direct.query('select id, v from t order by id');
  await direct.end();
  return rows.map((r) => `${r.id}:${r.v}`);
}

async function events(connection: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection, limit: 10_000 });
  const out: StoredEvent[] = [];
  for (const s of sessions) out.push(...(await gateway.store.ledger.readSession(s.id)));
  return out;
}

/** Runs the statement and returns the error the server (or Vigil) answered with. */
async function refusal(
  client: pg.Client,
  sql: string,
  values?: unknown[],
): Promise<{ code?: string; message: string }> {
  try {
    await client.query(sql, values);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  return assert.fail(`expected ${sql} to be refused`);
}

test('config: preset strict parses, no preset by default, unknown presets are refused, 16 MiB messages', () => {
  const parsed = (guardrails: string) =>
    parseConfigText(
      [
        'connections:',
        '  - name: db',
        '    type: postgres',
        '    listen: 127.0.0.1:0',
        '    upstream: postgres://u@127.0.0.1/db',
        `    ${guardrails}`,
        '',
      ].join('\n'),
      'vigil.yaml',
    ).connections[0] as PostgresConnectionConfig | undefined;
  const strict = parsed('guardrails: { preset: strict, deny_statements: [ALTER] }');
  assert.ok(strict?.type === 'postgres');
  assert.equal(strict.guardrails.preset, 'strict');
  assert.deepEqual(strict.guardrails.deny_statements, ['ALTER']);
  assert.equal(strict.guardrails.allow_call, false);
  assert.equal(strict.max_message_bytes, 16 * 1024 * 1024);
  const plain = parsed('record_rows: 0');
  assert.ok(plain?.type === 'postgres');
  assert.equal(plain.guardrails.preset, undefined);
  assert.throws(() => parsed('guardrails: { preset: lenient }'), /preset/);
  assert.throws(() => parsed('guardrails: { preset: strict, allow_drop: true }'), /allow_drop/);
});

test("the demo's postgres connection is strict, and the README's walk-through still holds", async () => {
  const { config } = demoConfig('http://127.0.0.1:1', { postgresUrl: 'postgres://u@127.0.0.1:1/d' });
  const connection = config.connections.find((c) => c.name === 'postgres') as
    | PostgresConnectionConfig
    | undefined;
  assert.ok(connection?.type === 'postgres');
  assert.equal(connection.guardrails.preset, 'strict');
  const guards = await buildGuards(PROTOCOLS, config);
  const classifier = await SqlClassifier.create(16);
  const judge = (statement: string, subject = 'alice') => {
    const draft: EventDraft = {
      type: 'db.query',
      sessionId: 's',
      connection: 'postgres',
      identity: { subject, kind: 'user', groups: [] },
      time: '2025-01-01T00:00:00.000Z',
      payload: { statement, classification: { statements: classifier.classify(statement) } },
    };
    const denial = guards.map((g) => g.evaluate(draft)).find((d) => d.action === 'deny');
    return denial?.action === 'deny' ? denial.rule : 'allow';
  };
  // README: create a table, insert, an unbounded delete is refused; bob's insert reaches the review rule.
  assert.equal(judge('create table t(x int)'), 'allow');
  assert.equal(judge('insert into t values (1), (2)'), 'allow');
  assert.equal(judge('delete from t'), 'strict:unbounded_write');
  assert.equal(judge('insert into t values (3)', 'bob'), 'allow');
  assert.ok(config.policy.rules.some((r) => r.name === 'review-bob-writes' && r.action === 'review'));
});

test('strict refuses DO, COPY PROGRAM, WHERE true and the like with 42501, and none of them runs', async () => {
  const marker = join(tmpdir(), `vigil-strict-${randomBytes(6).toString('hex')}`);
  const client = await through('pg-agent');
  try {
    const cases: [string, string, unknown[]?][] = [
      ["do $$ begin insert into t values (99, 'do'); end $$", 'strict:do_block'],
      [`copy (select 1) to program 'cat > ${marker}'`, 'strict:copy_program'],
      ['delete from t where true', 'strict:unbounded_write'],
      ["DELETE FROM t WHERE 'a' = 'a'", 'strict:unbounded_write'],
      ["update t set v = 'x' where not false", 'strict:unbounded_write'],
      // Extended protocol: a parameter as the whole condition bounds nothing either.
      ['delete from t where $1', 'strict:unbounded_write', [true]],
      ['with d as (delete from t where 1 = 1 returning *) select count(*) from d', 'strict:unbounded_write'],
      ["select pg_catalog.pg_read_file('/etc/hostname')", 'strict:server_file_access'],
      ['select * from t where v = (select "PG_READ_FILE"(\'/etc/hostname\'))', 'strict:server_file_access'],
      ['set role postgres', 'strict:set_role'],
      ["select set_config('role', 'postgres', false)", 'strict:set_role'],
      ['drop table t', 'strict:drop'],
      ['truncate t', 'strict:truncate'],
      [
        "create function f() returns int language plpgsql as 'begin delete from t; return 1; end'",
        'strict:procedural_function',
      ],
      ["create function g() returns void language sql as 'delete from t'", 'strict:unbounded_write'],
      ['selec t from', 'strict:unparsed'],
    ];
    for (const [sql, rule, values] of cases) {
      const err = await refusal(client, sql, values);
      assert.equal(err.code, '42501', `${sql}: ${err.message}`);
      assert.match(err.message, new RegExp(`denied by rule ${rule}`), sql);
    }
    // The session goes on after the refusals.
    assert.equal((await client.query('select count(*)::int as n from t')).rows[0].n, 3);
  } finally {
    await client.end();
  }
  assert.deepEqual(await rowsOfT(), ['1:a', '2:b', '3:c']);
  assert.equal(existsSync(marker), false, 'COPY ... PROGRAM ran');
  const direct = await directClient();
  const fns = await direct.query("select proname from pg_proc where proname in ('f', 'g')");
  await direct.end();
  assert.deepEqual(fns.rows, []);
  const recorded = await events('pg-agent');
  const rules = recorded.filter((e) => e.type === 'policy.decision').map((e) => String(e.payload?.rule));
  assert.ok(rules.includes('strict:do_block') && rules.includes('strict:copy_program'), rules.join(', '));
  const doQuery = recorded.find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('do $$'),
  );
  assert.ok(doQuery, 'the refused DO is recorded as a db.query');
});

test('control: the same COPY PROGRAM runs through a connection without the preset', async () => {
  const marker = join(tmpdir(), `vigil-strict-${randomBytes(6).toString('hex')}`);
  const client = await through('pg-dba');
  try {
    await client.query(`copy (select 1) to program 'cat > ${marker}'`);
  } finally {
    await client.end();
  }
  assert.equal(existsSync(marker), true);
  rmSync(marker, { force: true });
});

test('strict lets reads and bounded writes through, simple and extended protocol', async () => {
  const client = await through('pg-agent');
  try {
    await client.query("insert into t values (4, 'd')");
    await client.query('insert into t values ($1, $2)', [5, 'e']);
    await client.query("update t set v = 'B' where id = 2");
    await client.query('update t set v = $1 where id = $2', ['C', 3]);
    await client.query('delete from t where id = 5');
    await client.query("set application_name = 'agent'");
    const { rows } = await client.query('select v from t where id = $1', [4]);
    assert.deepEqual(rows, [{ v: 'd' }]);
  } finally {
    await client.end();
  }
  assert.deepEqual(await rowsOfT(), ['1:a', '2:B', '3:C', '4:d']);
});

test('pgbench -i works on the connection without the preset, and is refused under strict', async () => {
  const dba = endpoints.get('pg-dba');
  const agent = endpoints.get('pg-agent');
  assert.ok(dba && agent);
  const init = await runClient('pgbench', ['-i', '-s', '1', '-q'], dba, TOKENS.alice);
  assert.equal(init.code, 0, init.stderr);
  const direct = await directClient();
  const { rows } = await direct.query('select count(*)::int as n from pgbench_accounts');
  await direct.end();
  assert.equal(rows[0].n, 100_000);
  const refused = await runClient('pgbench', ['-i', '-s', '1', '-q'], agent, TOKENS.alice);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /strict:drop/);
  // Only the DBA group may use the unguarded connection.
  const bob = await runClient('pgbench', ['-i', '-s', '1', '-q'], dba, TOKENS.bob);
  assert.notEqual(bob.code, 0);
  assert.doesNotMatch(bob.stderr, /done in/);
});
