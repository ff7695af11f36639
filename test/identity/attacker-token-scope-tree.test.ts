// A reasoning tree links the statements its identity ran on other connections to the model turns
// that proposed them. A service account's token for the model connection alone must not read,
// through the tree of its own model session, the statements the account's database token ran.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { TOKENS } from '../support/gateway.js';
import { type ProposerFixture, startProposerFixture } from '../support/proposer-fixture.js';

const PROPOSAL = 'SELECT balance FROM accounts WHERE id = 1;';

let f: ProposerFixture;
let modelToken: string;
let modelSession: string;

before(async () => {
  f = await startProposerFixture('vigil_scope_tree', {
    proposal: PROPOSAL,
    allowModel: ['service:etl'],
    allowDatabase: ['service:etl'],
    reviewUpdates: false,
  });
  const { gateway } = f;
  const hour = 3_600_000;
  modelToken = (
    await createServiceToken(gateway.store.access, { name: 'etl', connections: ['oa'], ttlMs: hour })
  ).token;
  const dbToken = (
    await createServiceToken(gateway.store.access, { name: 'etl', connections: ['pg'], ttlMs: hour })
  ).token;

  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${modelToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'fix the balance' }] }),
  });
  assert.equal(res.status, 200, await res.text());
  const db = f.client('etl', dbToken);
  await db.connect();
  await db.query(PROPOSAL);
  await db.end();
  modelSession = (await gateway.store.ledger.listSessions({ identity: 'etl', connection: 'oa' }))[0]!.id;
});

after(async () => {
  await f?.close();
});

async function get(token: string, path: string) {
  const res = await fetch(f.gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as { actions: { action: string; nodeId: string }[] };
}

test('the tree of its own model session shows a scoped token no statement another connection ran', async () => {
  // An auditor sees the link: the statement the database token ran, under the turn that proposed it.
  const audited = await get(TOKENS.audrey, `/api/sessions/${modelSession}/tree`);
  const link = audited.actions.find((a) => a.action.includes('accounts'));
  assert.ok(link, `the tree links the statement: ${JSON.stringify(audited.actions)}`);

  for (const path of [
    `/api/sessions/${modelSession}/tree`,
    `/api/sessions/${modelSession}/tree?outline=1`,
    `/api/sessions/${modelSession}/tree/nodes/${encodeURIComponent(link.nodeId)}`,
  ]) {
    const body = await get(modelToken, path);
    assert.deepEqual(body.actions, [], `${path}: ${JSON.stringify(body.actions)}`);
  }
});
