// Raw protocol checks that drivers do not exercise: a refusal in the middle of an extended-protocol
// batch (messages up to Sync discarded, then the session goes on) and an oversized message.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { parseErrorFields } from '../../src/protocols/postgres/backend-messages.js';
import { FrameReader } from '../../src/protocols/postgres/frame-reader.js';
import { cstring, int32, message, startupMessage } from '../../src/protocols/postgres/wire-writer.js';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_wire', {
    guardrails: { deny_statements: ['DROP'] },
    max_message_bytes: 4096,
  });
});
after(() => f.close());

class RawClient {
  readonly reader = new FrameReader(1 << 30);
  readonly socket: Socket;
  readonly codes: string[] = [];
  readonly errors: { code: string; message: string }[] = [];
  #wait: (() => void) | null = null;
  closed = false;
  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.reader.push(c);
      for (let fr = this.reader.next(); fr; fr = this.reader.next()) {
        this.codes.push(fr.code);
        if (fr.code === 'E') this.errors.push(parseErrorFields(fr.body));
      }
      this.#wait?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wait?.();
    });
  }
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) {
      if (this.closed) throw new Error(`closed; got ${this.codes.join('')}`);
      await new Promise<void>((r) => {
        this.#wait = r;
      });
    }
  }
  count(code: string): number {
    return this.codes.filter((c) => c === code).length;
  }
}

async function login(): Promise<RawClient> {
  const socket = connect({ host: f.host, port: f.port });
  const c = new RawClient(socket);
  socket.write(startupMessage({ user: 'alice', database: 'x' }));
  await c.until(() => c.codes.includes('R'));
  socket.write(message('p', cstring(TOKENS.alice)));
  await c.until(() => c.codes.includes('Z'));
  c.codes.length = 0;
  return c;
}

const parse = (name: string, sql: string) => message('P', cstring(name), cstring(sql), Buffer.from([0, 0]));
const bind = (portal: string, stmt: string) =>
  message('B', cstring(portal), cstring(stmt), Buffer.from([0, 0, 0, 0, 0, 0]));
const execute = (portal: string) => message('E', cstring(portal), int32(0));
const sync = message('S');

test('a refused Execute discards the batch up to Sync, answers E then Z, and the next batch runs', async () => {
  const c = await login();
  c.socket.write(
    Buffer.concat([
      parse('ok', 'select 1'),
      bind('', 'ok'),
      execute(''),
      parse('bad', 'drop table if exists nothing_here'),
      bind('', 'bad'),
      execute(''),
      parse('never', 'select 2'),
      bind('', 'never'),
      execute(''),
      sync,
      bind('', 'ok'),
      execute(''),
      sync,
    ]),
  );
  await c.until(() => c.count('Z') === 2);
  // ParseComplete, BindComplete, DataRow, CommandComplete (select 1); ParseComplete, BindComplete (drop,
  // forwarded before its Execute); then the refusal and ReadyForQuery; then the second batch.
  assert.equal(c.codes.join(''), '12DC12EZ2DCZ');
  assert.equal(c.errors[0]?.code, '42501');
  const events = await pgEvents(f);
  const statements = events.filter((e) => e.type === 'db.query').map((e) => e.payload?.statement);
  assert.deepEqual(statements.slice(-3), ['select 1', 'drop table if exists nothing_here', 'select 1']);
  c.socket.destroy();
});

test('an upstream error mid-batch: what the server skips, Vigil skips too (never forwarded; recorded as not executed if judged before the error arrived)', async () => {
  const c = await login();
  // Earlier sessions may still be recording their last events: compare by event, not by position.
  const key = (e: { sessionId: string; seq: number }) => `${e.sessionId}/${e.seq}`;
  const before = new Set((await pgEvents(f)).map(key));
  c.socket.write(
    Buffer.concat([
      parse('', 'select 1/0'),
      bind('', ''),
      execute(''),
      parse('', 'select 3'),
      bind('', ''),
      execute(''),
      sync,
    ]),
  );
  await c.until(() => c.count('Z') === 1);
  // PostgreSQL may fail the unnamed statement at Bind (constant folding) or at Execute.
  assert.match(c.codes.join(''), /^12?EZ$/);
  assert.equal(c.errors[0]?.code, '22012');
  const added = (await pgEvents(f)).filter((e) => !before.has(key(e)));
  const statements = added.filter((e) => e.type === 'db.query').map((e) => e.payload?.statement);
  assert.ok(statements.includes('select 1/0'), 'the failing statement was recorded');
  // An Execute the server skipped is recorded as not executed: the failing statement's own Execute
  // when the error came at Bind ('1EZ'), and 'select 3' when it was judged before the error arrived
  // (proxy-session.ts, serverSkipsNow); when 'select 3' is not recorded at all it was never forwarded.
  const failedAtBind = c.codes.join('') === '1EZ';
  const expectedSkipped = (failedAtBind ? 1 : 0) + (statements.includes('select 3') ? 1 : 0);
  const skipped = added.filter(
    (e) => e.type === 'db.result' && String(e.payload?.error_message).startsWith('not executed'),
  );
  assert.equal(
    skipped.length,
    expectedSkipped,
    `skipped Executes are recorded as not executed (${c.codes.join('')})`,
  );
  for (const r of added.filter((e) => e.type === 'db.result')) assert.equal(r.payload?.sqlstate, '22012');
  c.socket.destroy();
});

test('a message over max_message_bytes ends the connection with 08P01', async () => {
  const c = await login();
  c.socket.write(message('Q', cstring(`select '${'x'.repeat(5000)}'`)));
  await c.until(() => c.codes.includes('E'));
  assert.equal(c.errors[0]?.code, '08P01');
  await c.until(() => c.closed).catch(() => undefined);
  assert.equal(c.closed, true);
});
