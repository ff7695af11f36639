// Attacks on how Vigil reads statement text, through the gateway against the real server: texts
// whose meaning hangs on something Vigil read as a mere value (a UESCAPE literal, served from the
// classification cache by shape), and function bodies the server reads under other lexical
// settings than the session's. Each test checks the effect on the server directly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertLedgerVerifies } from '../support/gateway.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import type { Reply } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_lexing', {
    guardrails: { deny_statements: ['DROP', 'TRUNCATE'], deny_unbounded_writes: true },
  });
});
after(() => f.close());

const { direct, resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

function sqlstates(reply: Reply): (string | undefined)[] {
  return reply.errors.map((e) => e.sqlstate);
}

test('a UESCAPE literal is syntax: a failed text of one shape does not decide how another is judged', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-uescape');
  assert.ok(c.loggedIn, c.login.codes);
  // U&"!0074" with the escape character ! is the identifier t. The first text fails to parse (zz
  // is no escape character): it primed the shape cache with UNKNOWN, under which the second, the
  // same shape with another literal, went through as if it did not parse either.
  const primer = await c.query(`DELETE FROM U&"!0074" UESCAPE 'zz'`);
  assert.deepEqual(sqlstates(primer), ['42601'], JSON.stringify(primer.errors));
  const attack = await c.query(`DELETE FROM U&"!0074" UESCAPE '!'`);
  assert.deepEqual(sqlstates(attack), ['42501'], JSON.stringify(attack.errors));
  assert.match(attack.errors[0]?.message ?? '', /deny_unbounded_writes/);
  assert.deepEqual(await rowIds(), [1, 2], 'the unbounded DELETE did not run');
  // The same with an integer literal next to it, and in a multi-statement string.
  await c.query(`SELECT 1; DELETE FROM U&"!0074" UESCAPE 'yy' WHERE 1 = 1`);
  const again = await c.query(`SELECT 2; DELETE FROM U&"!0074" UESCAPE '!' WHERE 2 = 2`);
  assert.deepEqual(sqlstates(again), ['42501'], JSON.stringify(again.errors));
  assert.deepEqual(await rowIds(), [1, 2]);
  c.end();
  const recorded = (await pgEvents(f)).filter(
    (e) => e.type === 'db.query' && String(e.payload?.statement).includes(`UESCAPE '!'`),
  );
  const kinds = recorded.map((e) => {
    const classification = e.payload?.classification as { statements: { kind: string }[] } | undefined;
    return classification?.statements.map((s) => s.kind).join('+') ?? 'none';
  });
  assert.ok(kinds.length >= 2 && kinds.every((k) => !k.includes('UNKNOWN')), `recorded as ${kinds}`);
  await assertLedgerVerifies(f.gateway);
});

test("a function's SET clause cannot change how the server reads its body", async () => {
  await resetTable();
  await direct((d) => d.query('drop function if exists f_scs(); drop function if exists g_scs()'));
  const c = await login('alice', 'attacker-function-scs');
  assert.ok(c.loggedIn, c.login.codes);
  // Read with standard_conforming_strings on (as Vigil reads it) the body is one SELECT of a
  // string; read with it off (as the server does when the function runs), a SELECT and then an
  // unbounded DELETE.
  const body = String.raw`SELECT 'a\''; DELETE FROM t; --'`;
  const create = await c.query(
    `CREATE FUNCTION f_scs() RETURNS void LANGUAGE sql SET standard_conforming_strings = off AS $$ ${body} $$`,
  );
  assert.deepEqual(sqlstates(create), ['0A000'], JSON.stringify(create.errors));
  await c.query('SELECT f_scs()');
  assert.deepEqual(await rowIds(), [1, 2], 'the hidden DELETE did not run');

  // A function made elsewhere, harmless as long as it is read with the setting on.
  await direct((d) => d.query(`CREATE FUNCTION g_scs() RETURNS void LANGUAGE sql AS $$ ${body} $$`));
  for (const sql of [
    'ALTER FUNCTION g_scs() SET standard_conforming_strings = off',
    "ALTER FUNCTION g_scs() SET standard_conforming_strings TO 'false'",
    'ALTER FUNCTION g_scs() SET client_encoding = LATIN1',
  ]) {
    assert.deepEqual(sqlstates(await c.query(sql)), ['0A000'], sql);
  }
  await c.query('SELECT g_scs()');
  assert.deepEqual(await rowIds(), [1, 2], 'the hidden DELETE did not run');
  const config = await direct((d) => d.query("select proconfig from pg_proc where proname = 'g_scs'"));
  assert.equal(config.rows[0]?.proconfig, null, 'the function kept no SET clause');
  // The pinned value itself is fine.
  const on = await c.query('ALTER FUNCTION g_scs() SET standard_conforming_strings = on');
  assert.deepEqual(on.errors, []);
  c.end();
  await direct((d) => d.query('drop function if exists f_scs(); drop function if exists g_scs()'));
});
