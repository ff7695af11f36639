// The data a client sends with `COPY … FROM STDIN` (psql's \copy from a file, the raw wire) is
// recorded in the statement's db.result the way the rows of a COPY TO STDOUT are: decoded lines,
// values only under the column names the COPY gives, masked (a secret-named column whole, every
// cell by the pattern rules), binary by size and digest; beyond record_rows a count of the lines and
// the SHA-256 of all the data. Until 7 December only the statement and its count were recorded:
// the rows reached the table and the record did not say which. Through the gateway, with psql and
// the raw wire, against the real server; what landed is read on the server itself.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, pgEvents, runClient, startPgFixture } from './pg-gateway.js';
import { fe, frame, RawPgClient } from './raw-client.js';

// Low entropy on purpose: only the column's name says it is secret.
const PASSWORD = 'winter tango night';
const TOKEN = 'ghp_Q7w3Er9TyU2iO4pA6sD8fG1hJ5kL0zX3cV7b';
const MASKED_COLUMN = /^\[MASKED:secret-column:[0-9a-f]{6}\]$/;
const RECORD_ROWS = 10;

let f: PgFixture;
const dir = mkdtempSync(join(tmpdir(), 'vigil-copy-in-'));

before(async () => {
  f = await startPgFixture('vigil_copy_in', { record_rows: RECORD_ROWS });
  await onServer('CREATE TABLE payroll (id int, name text, password text, note text)');
});
after(() => f?.close());

async function onServer(sql: string): Promise<unknown[][]> {
  const c = directClient(f);
  await c.connect();
  try {
    return (await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  } finally {
    await c.end();
  }
}

/** The db.result events of the sessions whose application_name is `app`. */
async function results(app: string): Promise<Record<string, unknown>[]> {
  const events: StoredEvent[] = await pgEvents(f);
  const ids = new Set(
    events
      .filter((e) => e.type === 'session.start' && e.payload?.application_name === app)
      .map((e) => e.sessionId),
  );
  return events
    .filter((e) => ids.has(e.sessionId) && e.type === 'db.result')
    .map((e) => e.payload as Record<string, unknown>);
}

function copyResult(recorded: readonly Record<string, unknown>[]): Record<string, unknown> {
  const r = recorded.find((p) => String(p.command_tag).startsWith('COPY'));
  assert.ok(r, `a COPY result is recorded: ${JSON.stringify(recorded)}`);
  return r;
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

async function raw(app: string): Promise<RawPgClient> {
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'vigil', application_name: app },
    password: TOKENS.alice,
  });
  assert.ok(c.loggedIn, c.login.codes);
  return c;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

test('psql \\copy from a csv file with a column list and a header: the rows sent, masked', async () => {
  await onServer('TRUNCATE payroll');
  const csv = `id,name,password,note\n1,ann,${PASSWORD},key ${TOKEN}\n2,"bob, jr","","a ""quoted""\nline"\n`;
  const file = join(dir, 'payroll.csv');
  writeFileSync(file, csv);
  const app = 'copy-in-csv';
  const run = await psql(
    app,
    `\\copy payroll (id, name, password, note) from '${file}' with (format csv, header)`,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /COPY 2/);
  assert.deepEqual(await onServer('SELECT id, password FROM payroll ORDER BY id'), [
    [1, PASSWORD],
    [2, ''],
  ]);
  const r = copyResult(await results(app));
  assert.equal(r.command_tag, 'COPY 2');
  assert.deepEqual(r.columns, ['id', 'name', 'password', 'note']);
  const rows = r.rows as unknown[][];
  assert.equal(rows.length, 2, JSON.stringify(r));
  assert.deepEqual([rows[0]![0], rows[0]![1]], ['1', 'ann']);
  assert.match(String(rows[0]![2]), MASKED_COLUMN);
  assert.match(String(rows[0]![3]), /^key \[MASKED:/);
  assert.deepEqual([rows[1]![0], rows[1]![1], rows[1]![3]], ['2', 'bob, jr', 'a "quoted"\nline']);
  const copy = r.copy as Record<string, unknown>;
  assert.equal(copy.direction, 'in');
  assert.equal(copy.format, 'csv');
  assert.equal(copy.bytes, Buffer.byteLength(csv));
  assert.equal(copy.sha256, sha256(csv));
  assert.equal(copy.lines, 2);
  assert.equal(copy.rows_not_recorded, 0);
  assert.equal(copy.ended, 'CopyDone');
  await nothingInClear();
});

test('psql \\copy of a bare table from stdin: the names are unknown, so no value is recorded', async () => {
  await onServer('TRUNCATE payroll');
  const app = 'copy-in-bare';
  const input = `1\tann\t${PASSWORD}\tkey ${TOKEN}\n2\tbob\\ttab\t\\N\tplain\n`;
  const run = await runClient('psql', ['-X', '-c', '\\copy payroll from stdin'], f, TOKENS.alice, input, {
    PGAPPNAME: app,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(await onServer('SELECT count(*)::int FROM payroll'), [[2]]);
  const r = copyResult(await results(app));
  const rows = r.rows as unknown[][];
  assert.deepEqual(rows[0], [
    { withheld: 'column unknown', bytes: 1 },
    { withheld: 'column unknown', bytes: 3 },
    { withheld: 'column unknown', bytes: PASSWORD.length },
    { withheld: 'column unknown', bytes: `key ${TOKEN}`.length },
  ]);
  assert.equal(rows[1]![2], null);
  const copy = r.copy as Record<string, unknown>;
  assert.equal(copy.columns_unknown, 4);
  assert.equal(copy.sha256, sha256(input));
  await nothingInClear();
});

test('raw wire: lines cut across CopyData messages anywhere, and data sent before the server asked', async () => {
  await onServer('TRUNCATE payroll');
  const app = 'copy-in-raw';
  const c = await raw(app);
  const data = `1\tann\t${PASSWORD}\tkey ${TOKEN}\n2\tbob\\ttab\t\\N\ta "quoted", line\n3\tcy\tx\tnote\\\nline\n`;
  const bytes = Buffer.from(data);
  // Simple protocol, data pipelined behind the statement, in pieces of 7 bytes.
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) pieces.push(frame('d', bytes.subarray(i, i + 7)));
  c.send(
    fe.query('COPY payroll (id, name, password, note) FROM STDIN'),
    ...pieces,
    frame('c', Buffer.alloc(0)),
  );
  const simple = await c.readUntilReady(1);
  assert.equal(simple.codes, 'GCZ', JSON.stringify(simple.errors));
  // Extended protocol, as libpq sends it, in one CopyData.
  c.send(fe.parse('', 'COPY payroll (id, password) FROM STDIN'), fe.bind('', ''), fe.execute(''), fe.sync());
  assert.equal((await c.readUntil('G')).codes, '12G');
  c.send(frame('d', Buffer.from(`9\t${PASSWORD}\n`)), frame('c', Buffer.alloc(0)), fe.sync());
  assert.equal((await c.readUntilReady(1)).codes, 'CZ');
  c.end();
  assert.deepEqual(await onServer('SELECT count(*)::int FROM payroll'), [[4]]);
  const [first, second] = (await results(app)).filter((p) => String(p.command_tag).startsWith('COPY'));
  assert.equal(first!.command_tag, 'COPY 3');
  const rows = first!.rows as unknown[][];
  assert.deepEqual([rows[0]![0], rows[0]![1]], ['1', 'ann']);
  assert.match(String(rows[0]![2]), MASKED_COLUMN);
  assert.match(String(rows[0]![3]), /^key \[MASKED:/);
  assert.deepEqual(rows[1], ['2', 'bob\ttab', null, 'a "quoted", line']);
  // A backslash quotes a newline: one value, not two lines.
  assert.deepEqual([rows[2]![0], rows[2]![1], rows[2]![3]], ['3', 'cy', 'note\nline']);
  const copy = first!.copy as Record<string, unknown>;
  assert.equal(copy.messages, pieces.length);
  assert.equal(copy.sha256, sha256(bytes));
  assert.equal(copy.lines, 3);
  assert.deepEqual(second!.columns, ['id', 'password']);
  assert.equal((second!.rows as unknown[][])[0]![0], '9');
  assert.match(String((second!.rows as unknown[][])[0]![1]), MASKED_COLUMN);
  await nothingInClear();
});

test('binary data is recorded by size and digest; lines beyond record_rows by count and digest', async () => {
  await onServer('TRUNCATE payroll');
  const app = 'copy-in-bounds';
  const many = Array.from({ length: 25 }, (_, i) => `${i}\tn${i}\n`).join('');
  const run = await runClient(
    'psql',
    ['-X', '-c', '\\copy payroll (id, name) from stdin'],
    f,
    TOKENS.alice,
    many,
    { PGAPPNAME: app },
  );
  assert.equal(run.code, 0, run.stderr);
  const c = await raw(app);
  const binary = await onServerBinary();
  c.send(fe.query('COPY payroll (password) FROM STDIN (FORMAT binary)'));
  assert.equal((await c.readUntil('G')).codes, 'G');
  c.send(frame('d', binary), frame('c', Buffer.alloc(0)));
  const reply = await c.readUntilReady(1);
  assert.equal(reply.codes, 'CZ', JSON.stringify(reply.errors));
  c.end();
  const [text, bin] = (await results(app)).filter((p) => String(p.command_tag).startsWith('COPY'));
  assert.equal((text!.rows as unknown[][]).length, RECORD_ROWS);
  const copy = text!.copy as Record<string, unknown>;
  assert.equal(copy.lines, 25);
  assert.equal(copy.rows_not_recorded, 25 - RECORD_ROWS);
  assert.equal(copy.sha256, sha256(many));
  assert.deepEqual(bin!.rows, []);
  assert.deepEqual(bin!.copy, {
    direction: 'in',
    format: 'binary',
    bytes: binary.length,
    messages: 1,
    sha256: sha256(binary),
    ended: 'CopyDone',
    recorded: 'size and sha256 only',
  });
  await nothingInClear();
});

/** A binary COPY of one row holding the password, as the server writes it. */
async function onServerBinary(): Promise<Buffer> {
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
  const value = Buffer.from(PASSWORD);
  const row = Buffer.alloc(2 + 4);
  row.writeInt16BE(1, 0);
  row.writeInt32BE(value.length, 2);
  const trailer = Buffer.from([0xff, 0xff]);
  return Buffer.concat([header, row, value, trailer]);
}

test('data pipelined behind a COPY the server refused is not taken for the next copy', async () => {
  await onServer('TRUNCATE payroll');
  const app = 'copy-in-refused';
  const c = await raw(app);
  const ignored = Buffer.from(`7\t${PASSWORD}\n`);
  c.send(fe.query('COPY no_such_table FROM STDIN'), frame('d', ignored), frame('c', Buffer.alloc(0)));
  assert.equal((await c.readUntilReady(1)).errors[0]?.sqlstate, '42P01');
  c.send(fe.query('COPY payroll (id) FROM STDIN'));
  assert.equal((await c.readUntil('G')).codes, 'G');
  c.send(frame('d', Buffer.from('8\n')), frame('c', Buffer.alloc(0)));
  assert.equal((await c.readUntilReady(1)).codes, 'CZ');
  c.end();
  assert.deepEqual(await onServer('SELECT id FROM payroll'), [[8]]);
  const r = copyResult(await results(app));
  assert.deepEqual(r.rows, [['8']]);
  assert.equal((r.copy as Record<string, unknown>).sha256, sha256('8\n'));
});
