// COPY FROM STDIN hands the connection to the client's data: the server reads CopyData, CopyDone
// and CopyFail, and IGNORES a Sync or Flush until the copy ends. A Sync Vigil forwards into a copy
// waits for a ReadyForQuery that never comes, and from then on every answer is matched to the
// message before it: a ParseComplete confirms the text of an older Parse, so an Execute is judged
// (and recorded) as one statement while the server runs another. Through the gateway (strict
// preset), against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import { fe, frame, type RawPgClient, type Reply } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_copy', { guardrails: { preset: 'strict' } });
});
after(() => f.close());

const { resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

const copyData = (text: string): Buffer => frame('d', Buffer.from(text, 'utf8'));
const copyDone = (): Buffer => frame('c', Buffer.alloc(0));

async function sessionEvents(app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(f);
  const ids = new Set(
    events
      .filter((e) => e.type === 'session.start' && e.payload?.application_name === app)
      .map((e) => e.sessionId),
  );
  return events.filter((e) => ids.has(e.sessionId));
}

/** Each db.query's statement with the command tag of the db.result that follows it. */
function recordedRuns(events: readonly StoredEvent[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const e of events) {
    if (e.type === 'db.query') out.push([String(e.payload?.statement), undefined]);
    if (e.type === 'db.result' && out.length > 0 && out.at(-1)![1] === undefined)
      out.at(-1)![1] = e.payload?.command_tag ?? e.payload?.sqlstate;
  }
  return out;
}

async function batch(c: RawPgClient, ...messages: Buffer[]): Promise<Reply> {
  c.send(...messages, fe.sync());
  return c.readUntilReady(1);
}

test('a Sync sent during COPY FROM STDIN does not put a later Parse in place of another', async () => {
  await resetTable();
  const app = 'attacker-copy-sync';
  const c = await login('alice', app);
  assert.ok(c.loggedIn, c.login.codes);
  c.send(fe.query('COPY t FROM STDIN'));
  assert.equal((await c.readUntil('G')).codes, 'G');
  // The server ignores this Sync; a Vigil that waits for its ReadyForQuery is one answer behind.
  c.send(fe.sync(), copyDone());
  assert.equal((await c.readUntilReady(1)).codes, 'CZ');
  assert.equal((await batch(c, fe.parse('s', 'SELECT 1'))).codes, '1Z');
  assert.equal((await batch(c, fe.close('S', 's'), fe.parse('s', 'DELETE FROM t'))).codes, '31Z');
  assert.equal((await batch(c)).codes, 'Z');
  const run = await batch(c, fe.bind('', 's'), fe.execute(''));
  assert.deepEqual(
    run.errors.map((e) => e.sqlstate),
    ['42501'],
    `the unbounded DELETE is refused: ${run.codes} ${JSON.stringify(run.errors)}`,
  );
  assert.deepEqual(await rowIds(), [1, 2], 'the DELETE never ran');
  c.end();
  const runs = recordedRuns(await sessionEvents(app));
  assert.deepEqual(runs[0], ['COPY t FROM STDIN', 'COPY 0']);
  assert.equal(runs[1]?.[0], 'DELETE FROM t', JSON.stringify(runs));
});

test('COPY FROM STDIN through the extended protocol (a Sync after Execute, as libpq sends) keeps the record in step', async () => {
  await resetTable();
  const app = 'attacker-copy-extended';
  const c = await login('alice', app);
  assert.ok(c.loggedIn, c.login.codes);
  c.send(fe.parse('', 'COPY t FROM STDIN'), fe.bind('', ''), fe.execute(''), fe.sync());
  assert.equal((await c.readUntil('G')).codes, '12G');
  // libpq knows the first Sync went into the copy and sends another after CopyDone.
  c.send(copyData('3\n'), copyDone(), fe.sync());
  assert.equal((await c.readUntilReady(1)).codes, 'CZ');
  assert.deepEqual((await c.query('SELECT 2')).rows, [['2']]);
  assert.deepEqual((await c.query('SELECT 3')).rows, [['3']]);
  assert.deepEqual(await rowIds(), [1, 2, 3]);
  c.end();
  assert.deepEqual(recordedRuns(await sessionEvents(app)), [
    ['COPY t FROM STDIN', 'COPY 1'],
    ['SELECT 2', 'SELECT 1'],
    ['SELECT 3', 'SELECT 1'],
  ]);
});

test('copy data pipelined behind COPY, and a query behind it, run in order', async () => {
  await resetTable();
  const app = 'attacker-copy-pipelined';
  const c = await login('alice', app);
  assert.ok(c.loggedIn, c.login.codes);
  c.send(fe.query('COPY t FROM STDIN'), copyData('4\n'), copyDone(), fe.query('SELECT count(*) FROM t'));
  const reply = await c.readUntilReady(2);
  assert.equal(reply.codes, 'GCZTDCZ');
  assert.deepEqual(reply.rows, [['3']]);
  c.end();
  // Pipelined, a result may be recorded after the next statement's db.query: compare each kind.
  const events = await sessionEvents(app);
  assert.deepEqual(
    events.filter((e) => e.type === 'db.query').map((e) => e.payload?.statement),
    ['COPY t FROM STDIN', 'SELECT count(*) FROM t'],
  );
  assert.deepEqual(
    events.filter((e) => e.type === 'db.result').map((e) => e.payload?.command_tag),
    ['COPY 1', 'SELECT 1'],
  );
});

test('a copy that fails on bad data or CopyFail, with Syncs sent into it, leaves Vigil in step', async () => {
  await resetTable();
  const app = 'attacker-copy-failed';
  const c = await login('alice', app);
  assert.ok(c.loggedIn, c.login.codes);
  // Extended: the server fails the copy on a bad row, then skips to the Sync after CopyDone.
  c.send(fe.parse('', 'COPY t FROM STDIN'), fe.bind('', ''), fe.execute(''), fe.sync());
  assert.equal((await c.readUntil('G')).codes, '12G');
  c.send(copyData('not a number\n'), copyDone(), fe.sync());
  const failed = await c.readUntilReady(1);
  assert.deepEqual(
    failed.errors.map((e) => e.sqlstate),
    ['22P02'],
  );
  // Simple: CopyFail ends it, a Sync sent into it is ignored.
  c.send(fe.query('COPY t FROM STDIN'));
  assert.equal((await c.readUntil('G')).codes, 'G');
  c.send(fe.sync(), frame('f', Buffer.from('client gave up\0')));
  assert.equal((await c.readUntilReady(1)).codes, 'EZ');
  assert.deepEqual((await c.query('SELECT 5')).rows, [['5']]);
  assert.equal((await batch(c, fe.parse('s', 'SELECT 6'), fe.bind('', 's'), fe.execute(''))).codes, '12DCZ');
  assert.deepEqual(await rowIds(), [1, 2]);
  c.end();
  const runs = recordedRuns(await sessionEvents(app));
  assert.deepEqual(
    runs.map(([statement]) => statement),
    ['COPY t FROM STDIN', 'COPY t FROM STDIN', 'SELECT 5', 'SELECT 6'],
  );
  assert.deepEqual(runs.slice(2), [
    ['SELECT 5', 'SELECT 1'],
    ['SELECT 6', 'SELECT 1'],
  ]);
});

test('any other message during COPY FROM STDIN ends the session', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-copy-parse');
  assert.ok(c.loggedIn, c.login.codes);
  c.send(fe.query('COPY t FROM STDIN'));
  assert.equal((await c.readUntil('G')).codes, 'G');
  c.send(fe.parse('s', 'SELECT 1'), fe.sync());
  const reply = await c.readUntilClosed();
  assert.ok(
    reply.errors.some((e) => e.sqlstate === '08P01'),
    `${reply.codes} ${JSON.stringify(reply.errors)}`,
  );
  assert.deepEqual(await rowIds(), [1, 2]);
});
