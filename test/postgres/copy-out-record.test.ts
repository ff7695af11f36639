// The rows a client receives through `COPY … TO STDOUT` (psql's \copy, the raw wire) are recorded
// in the statement's db.result as a SELECT's are, masked before they are stored: a secret-named
// column's values whole, every cell by the pattern rules, and the values of a column whose name
// Vigil cannot be sure of (a bare table, a star, an alias) not at all. Until 7 December a COPY's
// result recorded no rows: the record did not show what the client saw. Through the gateway, with
// psql and the raw wire, against the real server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, pgEvents, runClient, startPgFixture } from './pg-gateway.js';
import { fe, RawPgClient } from './raw-client.js';

// Low entropy on purpose: only the column's name says it is secret.
const PASSWORD = 'summer dance party';
const TOKEN = 'ghp_R8x2Kq9ZpL4mT7vB1nW6yC3dF5gH0jA2sE8u';
const MASKED_COLUMN = /^\[MASKED:secret-column:[0-9a-f]{6}\]$/;

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_copy_out', { record_rows: 10 });
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    `CREATE TABLE payroll (id int, name text, password text, note text);
     INSERT INTO payroll VALUES (1, 'ann', '${PASSWORD}', 'key ${TOKEN}'), (2, 'bob	tab', NULL, 'a "quoted", line')`,
  );
  await direct.end();
});
after(() => f?.close());

/** The db.result events of the sessions whose application_name is `app`. */
async function results(app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(f);
  const ids = new Set(
    events
      .filter((e) => e.type === 'session.start' && e.payload?.application_name === app)
      .map((e) => e.sessionId),
  );
  return events.filter((e) => ids.has(e.sessionId) && e.type === 'db.result');
}

function copyResult(events: readonly StoredEvent[]): Record<string, unknown> {
  const r = events.find((e) => String(e.payload?.command_tag).startsWith('COPY'));
  assert.ok(r, `a COPY result is recorded: ${JSON.stringify(events.map((e) => e.payload))}`);
  return r.payload as Record<string, unknown>;
}

async function nothingInClear(): Promise<void> {
  await f.gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(f.gateway.dataDir)) {
    assert.ok(!bytes.includes(Buffer.from(PASSWORD)), `${path} holds the password`);
    assert.ok(!bytes.includes(Buffer.from(TOKEN)), `${path} holds the token`);
  }
}

function psql(app: string, command: string): ReturnType<typeof runClient> {
  return runClient('psql', ['-X', '-c', command], f, TOKENS.alice, undefined, { PGAPPNAME: app });
}

test('psql \\copy with a column list, csv and a header: the rows the client got, masked', async () => {
  const app = 'copy-out-csv';
  const run = await psql(
    app,
    '\\copy payroll (id, name, password, note) to stdout with (format csv, header)',
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.includes(PASSWORD), 'the client still gets the real value');
  const r = copyResult(await results(app));
  assert.deepEqual(r.columns, ['id', 'name', 'password', 'note']);
  const rows = r.rows as unknown[][];
  assert.equal(rows.length, 2, JSON.stringify(r));
  assert.deepEqual([rows[0]![0], rows[0]![1]], ['1', 'ann']);
  assert.match(String(rows[0]![2]), MASKED_COLUMN);
  assert.match(String(rows[0]![3]), /^key \[MASKED:/);
  assert.deepEqual(rows[1], ['2', 'bob\ttab', null, 'a "quoted", line']);
  assert.deepEqual(r.copy, {
    direction: 'out',
    format: 'csv',
    bytes: run.stdout.length,
    rows_not_recorded: 0,
  });
  await nothingInClear();
});

test('psql \\copy of a bare table: the column names are unknown, so no value is recorded', async () => {
  const app = 'copy-out-bare';
  const run = await psql(app, '\\copy payroll to stdout');
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.includes(PASSWORD));
  const r = copyResult(await results(app));
  const rows = r.rows as unknown[][];
  // Each cell the client received is accounted for by its size, none by its value.
  assert.deepEqual(rows[0], [
    { withheld: 'column unknown', bytes: 1 },
    { withheld: 'column unknown', bytes: 3 },
    { withheld: 'column unknown', bytes: PASSWORD.length },
    { withheld: 'column unknown', bytes: `key ${TOKEN}`.length },
  ]);
  assert.equal(rows[1]![2], null);
  assert.equal((r.copy as Record<string, unknown>).columns_unknown, 4);
  await nothingInClear();
});

test('raw wire: COPY (query) TO STDOUT in text format, simple and extended, records what the client read', async () => {
  const app = 'copy-out-raw';
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'vigil', application_name: app },
    password: TOKENS.alice,
  });
  assert.ok(c.loggedIn, c.login.codes);
  const sql = 'COPY (SELECT id, name, password, note FROM payroll ORDER BY id) TO STDOUT';
  const simple = await c.query(sql);
  c.send(fe.parse('', sql), fe.bind('', ''), fe.execute(''), fe.sync());
  const extended = await c.readUntilReady(1);
  const binary = await c.query('COPY payroll (password) TO STDOUT (FORMAT binary)');
  c.end();
  const lines = simple.messages.filter((m) => m.code === 'd').map((m) => m.body.toString('utf8'));
  assert.deepEqual(lines, [`1\tann\t${PASSWORD}\tkey ${TOKEN}\n`, '2\tbob\\ttab\t\\N\ta "quoted", line\n']);
  assert.equal(extended.messages.filter((m) => m.code === 'd').length, 2, extended.codes);

  const recorded = (await results(app)).map((e) => e.payload as Record<string, unknown>);
  assert.equal(recorded.length, 3);
  for (const r of recorded.slice(0, 2)) {
    assert.deepEqual(r.columns, ['id', 'name', 'password', 'note']);
    const rows = r.rows as unknown[][];
    assert.deepEqual([rows[0]![0], rows[0]![1]], ['1', 'ann']);
    assert.match(String(rows[0]![2]), MASKED_COLUMN);
    assert.match(String(rows[0]![3]), /^key \[MASKED:/);
    // The escapes the client reads (`\t`, `\N`) are undone, as the client undoes them.
    assert.deepEqual(rows[1], ['2', 'bob\ttab', null, 'a "quoted", line']);
  }
  const data = Buffer.concat(binary.messages.filter((m) => m.code === 'd').map((m) => m.body));
  assert.deepEqual(recorded[2]!.rows, []);
  assert.deepEqual(recorded[2]!.copy, {
    direction: 'out',
    format: 'binary',
    bytes: data.length,
    recorded: 'size and sha256 only',
    sha256: createHash('sha256').update(data).digest('hex'),
  });
  await nothingInClear();
});

test('rows beyond record_rows are counted, not recorded', async () => {
  const app = 'copy-out-bound';
  const run = await psql(app, '\\copy (select g from generate_series(1, 25) g) to stdout');
  assert.equal(run.code, 0, run.stderr);
  const r = copyResult(await results(app));
  assert.equal(r.row_count, 25);
  assert.deepEqual(
    r.rows,
    Array.from({ length: 10 }, (_, i) => [{ withheld: 'column unknown', bytes: String(i + 1).length }]),
  );
  assert.equal((r.copy as Record<string, unknown>).rows_not_recorded, 15);
});

test('attacker: a secret read under another name, a whole row, a star or a derived name is not recorded', async () => {
  const app = 'copy-out-attacker';
  const statements = [
    'COPY (SELECT password AS pw, note AS n FROM payroll) TO STDOUT',
    'COPY (SELECT * FROM payroll) TO STDOUT (FORMAT csv)',
    'COPY (TABLE payroll) TO STDOUT',
    'COPY (SELECT payroll FROM payroll) TO STDOUT',
    'COPY (SELECT p FROM payroll p) TO STDOUT',
    'COPY (SELECT password || note AS name FROM payroll) TO STDOUT',
    'COPY (WITH x AS (SELECT password AS name FROM payroll) SELECT name FROM x) TO STDOUT',
    'COPY (SELECT name FROM (SELECT password AS name FROM payroll) s) TO STDOUT',
    'COPY (SELECT name FROM payroll UNION ALL SELECT password FROM payroll) TO STDOUT',
    'SELECT 1; COPY (SELECT name, password AS name2 FROM payroll) TO STDOUT (FORMAT csv, HEADER)',
    "COPY payroll TO STDOUT (FORMAT csv, DELIMITER '|', QUOTE '~', NULL 'none')",
  ];
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'vigil', application_name: app },
    password: TOKENS.alice,
  });
  assert.ok(c.loggedIn, c.login.codes);
  for (const sql of statements) {
    const reply = await c.query(sql);
    const data = reply.messages.filter((m) => m.code === 'd').map((m) => m.body.toString('utf8'));
    assert.ok(data.join('').includes(PASSWORD), `the client got the password from ${sql}: ${reply.codes}`);
  }
  c.end();
  const recorded = (await results(app))
    .map((e) => e.payload as Record<string, unknown>)
    .filter((r) => String(r.command_tag).startsWith('COPY'));
  assert.equal(recorded.length, statements.length);
  for (const r of recorded) {
    const rows = r.rows as unknown[][];
    assert.ok(rows.length > 0, JSON.stringify(r));
    for (const row of rows)
      for (const cell of row)
        assert.ok(
          cell === null ||
            (typeof cell === 'object' && (cell as { withheld?: string }).withheld === 'column unknown') ||
            cell === 'ann' ||
            cell === 'bob\ttab',
          `${JSON.stringify(cell)} in ${JSON.stringify(r)}`,
        );
  }
  await nothingInClear();
});

test('a line over 1 MiB passes through as it arrives and is recorded by its size only', async () => {
  const app = 'copy-out-large';
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    `CREATE TABLE big (id int, password text); INSERT INTO big VALUES (1, '${PASSWORD}' || repeat('x', 2000000)), (2, 'small')`,
  );
  await direct.end();
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'vigil', application_name: app },
    password: TOKENS.alice,
  });
  const reply = await c.query('COPY big (id, password) TO STDOUT');
  c.end();
  const lines = reply.messages.filter((m) => m.code === 'd');
  assert.equal(lines[0]!.body.length, 2 + PASSWORD.length + 2_000_000 + 1, reply.codes);
  const r = copyResult(await results(app));
  assert.equal(r.row_count, 2);
  assert.deepEqual((r.rows as unknown[][])[0], [
    { withheld: 'line too large', bytes: lines[0]!.body.length },
  ]);
  assert.equal((r.rows as unknown[][])[1]![0], '2');
  assert.match(String((r.rows as unknown[][])[1]![1]), MASKED_COLUMN);
  await nothingInClear();
});
