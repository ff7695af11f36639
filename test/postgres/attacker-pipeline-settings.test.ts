// A statement the server reads under settings an earlier, still unanswered statement changed.
// Vigil reads text with standard_conforming_strings on and ends the session when the server
// reports another value; but the server reports it only with ReadyForQuery, and a client that
// pipelines sends the next text before that. An application's plpgsql helper (made outside Vigil,
// so opaque to it) turns the setting off; the next text, judged as a DELETE bounded to id 1, is
// read by the server as a DELETE of every row.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertLedgerVerifies } from '../support/gateway.js';
import { type PgFixture, startPgFixture } from './pg-gateway.js';
import { fe } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_pipeline', { guardrails: { preset: 'strict' } });
  await direct((d) =>
    d.query(`create or replace function app_set(n text, v text) returns text language plpgsql
             as $$ begin perform pg_sleep(0.3); return set_config(n, v, false); end $$`),
  );
});
after(() => f.close());

const { direct, resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

const TURN_OFF = "SELECT app_set('standard_conforming_strings', 'off')";
// Read with the setting on: id = 1 AND 'x' <> '\', then a comment. Read with it off, the second
// string runs to the next quote and `OR id > 0` is a condition.
const HIDDEN = String.raw`DELETE FROM t WHERE id = 1 AND 'x' <> '\' --' OR id > 0`;

for (const variant of ['simple', 'extended, one batch', 'extended, two batches'] as const) {
  test(`a text pipelined behind a statement that changed standard_conforming_strings is not run under another reading (${variant})`, async () => {
    await resetTable();
    const c = await login('alice', `attacker-pipeline-${variant.replaceAll(/\W+/g, '-')}`);
    assert.ok(c.loggedIn, c.login.codes);
    if (variant === 'simple') c.send(fe.query(TURN_OFF), fe.query(HIDDEN));
    else if (variant === 'extended, one batch')
      c.send(
        ...[fe.parse('', TURN_OFF), fe.bind('', ''), fe.execute('')],
        ...[fe.parse('', HIDDEN), fe.bind('', ''), fe.execute(''), fe.sync()],
      );
    else
      c.send(
        // The Flush has the server confirm the Parse and Bind before the slow Execute ends.
        ...[fe.parse('', TURN_OFF), fe.bind('', ''), fe.flush(), fe.execute(''), fe.sync()],
        ...[fe.parse('', HIDDEN), fe.bind('', ''), fe.execute(''), fe.sync()],
      );
    if (variant === 'extended, one batch') {
      // The Execute that turns the setting off is reported only at Sync, after the server read
      // the next Parse: Vigil refuses that Parse, and the failed batch rolls the setting back.
      const reply = await c.readUntilReady(1);
      assert.deepEqual(
        reply.errors.map((e) => e.sqlstate),
        ['42501'],
        JSON.stringify(reply.errors),
      );
      assert.match(reply.errors[0]?.message ?? '', /statement_uncertain|cannot be judged/);
      const show = await c.query('SHOW standard_conforming_strings');
      assert.equal(show.rows[0]?.[0], 'on');
    } else {
      // Vigil waits for the server's report of the setting, and ends the session on it.
      const reply = await c.readUntilClosed();
      const codes = reply.errors.map((e) => e.sqlstate);
      assert.ok(codes.includes('0A000'), `errors: ${JSON.stringify(reply.errors)}`);
    }
    const ids = await rowIds();
    assert.ok(ids?.includes(2), `the server deleted every row: ${JSON.stringify(ids)}`);
    c.destroy();
    await assertLedgerVerifies(f.gateway);
  });
}

test('pipelined texts that read alike under any setting are not held back', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-pipeline-plain');
  c.send(
    fe.query('SELECT 1'),
    fe.query('DELETE FROM t WHERE id = 1'),
    ...[fe.parse('', 'SELECT id FROM t'), fe.bind('', ''), fe.execute('')],
    ...[fe.parse('', 'SELECT count(*) FROM t'), fe.bind('', ''), fe.execute(''), fe.sync()],
  );
  const reply = await c.readUntilReady(3);
  assert.deepEqual(reply.errors, []);
  assert.deepEqual(await rowIds(), [2]);
  c.end();
});
