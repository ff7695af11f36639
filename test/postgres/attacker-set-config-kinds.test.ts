// `SELECT set_config('search_path', 'billing', false)` does what `SET search_path = billing` does,
// but reads as a SELECT: a connection that denies SET statements (`deny_statements: [SET]`), or a
// policy rule on `statement_kinds: [SET]`, let it change the session's settings until 6 December.
// Through the gateway to the real server: every spelling of a setting change meets the SET rule,
// and the server's setting is left as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type pg from 'pg';
import { type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';

const SPELLINGS: [string, string, unknown[]][] = [
  ['SET itself', 'SET search_path = attacker', []],
  ['a SELECT of set_config()', "SELECT set_config('search_path', 'attacker', false)", []],
  ['set_config() in FROM', "SELECT * FROM pg_catalog.set_config('search_path', 'attacker', false)", []],
  ['set_config() local to a transaction', "SELECT set_config('search_path', 'attacker', true)", []],
  ['set_config() with a parameter', "SELECT set_config('search_path', $1, false)", ['attacker']],
];

async function assertSettingsFixed(f: PgFixture, rule: RegExp): Promise<void> {
  const c: pg.Client = vigilClient(f);
  await c.connect();
  try {
    const before = (await c.query('SHOW search_path')).rows[0]?.search_path;
    for (const [name, sql, params] of SPELLINGS) {
      await assert.rejects(c.query(sql, params), rule, name);
      assert.equal((await c.query('SHOW search_path')).rows[0]?.search_path, before, name);
    }
    // Reading a setting is not setting it.
    const read = await c.query("SELECT current_setting('search_path') AS v");
    assert.equal(read.rows[0]?.v, before);
  } finally {
    await c.end();
  }
}

test('deny_statements: [SET] denies set_config() as it denies SET', { timeout: 60_000 }, async () => {
  const f = await startPgFixture('vigil_attacker_set_config', { guardrails: { deny_statements: ['SET'] } });
  try {
    await assertSettingsFixed(f, /SET statements are not allowed on this connection/);
  } finally {
    await f.close();
  }
});

test('a policy rule on statement_kinds: [SET] meets set_config()', { timeout: 60_000 }, async () => {
  const f = await startPgFixture(
    'vigil_attacker_set_config',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'fixed-settings',
            match: { statement_kinds: ['SET'] },
            action: 'deny',
            reason: 'settings are fixed',
          },
        ],
      },
    },
  );
  try {
    await assertSettingsFixed(f, /denied by rule fixed-settings/);
  } finally {
    await f.close();
  }
});
