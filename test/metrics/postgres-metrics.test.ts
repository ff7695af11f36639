// /metrics on a real gateway in front of real PostgreSQL, driven by node-postgres and scraped with an
// admin token (no scrape token configured): statements allowed and denied by the guardrails are
// counted as db.query actions, a live connection is a live session until it closes, a secret in a
// statement is counted by its rule, and no statement text reaches a scrape.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PgFixture, startPgFixture, vigilClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { type Scrape, sampleValue, scrape, scrapeUntil } from './scrape.js';

// A GitHub token shape the masker knows (github-token); never a real credential.
const SECRET = 'ghp_Pw4Ks9Dm2Qx7Lr5Tz1Vb8Nc3Hj6Gf0Ye2Wu4A';
const STATEMENTS = {
  create: 'create table metrics_probe (id int primary key, note text)',
  insert: `insert into metrics_probe (id, note) values (1, 'token ${SECRET}')`,
  select: 'select note from metrics_probe where id = 1',
  drop: 'drop table metrics_probe',
};

let f: PgFixture;
before(async () => {
  f = await startPgFixture(
    'vigil_metrics_pg',
    { guardrails: { deny_statements: ['DROP'] } },
    {},
    { metrics: { enabled: true } },
  );
});
after(() => f.close());

const queries = (s: Scrape, outcome: string) =>
  sampleValue(s, 'vigil_actions_total', { connection: 'pg', kind: 'db.query', outcome });
const live = (s: Scrape) => sampleValue(s, 'vigil_sessions_live', { connection: 'pg' });

test('statements are counted by outcome, the connection is a live session, the secret is counted', async () => {
  const before = await scrape(f.gateway.url, TOKENS.alice);
  assert.equal(live(before), 0);
  const client = vigilClient(f);
  await client.connect();
  await client.query(STATEMENTS.create);
  await client.query(STATEMENTS.insert);
  const { rows } = await client.query(STATEMENTS.select);
  assert.equal(
    rows[0]?.note,
    `token ${SECRET}`,
    'the database has the real value; only the record is masked',
  );
  await assert.rejects(client.query(STATEMENTS.drop));

  const during = await scrape(f.gateway.url, TOKENS.alice);
  assert.equal(live(during), 1, 'one open connection, one live session');
  assert.ok(queries(during, 'allowed') - queries(before, 'allowed') >= 3);
  assert.equal(queries(during, 'denied') - queries(before, 'denied'), 1);
  assert.ok(
    sampleValue(during, 'vigil_mask_hits_total', { rule: 'github-token' }) >
      sampleValue(before, 'vigil_mask_hits_total', { rule: 'github-token' }),
  );
  assert.ok(
    sampleValue(during, 'vigil_ledger_size_events') > sampleValue(before, 'vigil_ledger_size_events'),
  );

  await client.end();
  const closed = await scrapeUntil(f.gateway.url, TOKENS.alice, (s) => live(s) === 0, 'the session ended');
  for (const s of [before, during, closed]) {
    for (const text of [...Object.values(STATEMENTS), SECRET, 'metrics_probe', TOKENS.alice]) {
      assert.ok(!s.text.includes(text), `a scrape contains ${text}`);
    }
  }
});

test('without a scrape token configured, a token that is not an admin is refused', async () => {
  const res = await fetch(`${f.gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.bob}` } });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-vigil-error'), 'forbidden_role');
});
