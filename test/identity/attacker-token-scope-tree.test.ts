// A reasoning tree links the statements its identity ran on other connections to the model turns
// that proposed them. A service account's token for the model connection alone must not read,
// through the tree of its own model session, the statements the account's database token ran.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';

const PROPOSAL = 'SELECT balance FROM accounts WHERE id = 1;';

let server: TestPostgres;
let model: DemoModel;
let gateway: TestGateway;
let modelToken: string;
let modelSession: string;

before(async () => {
  server = await startTestPostgres();
  const url = await createScratchDatabase(server, 'vigil_scope_tree');
  const direct = new pg.Client({ connectionString: withPassword(url, server.password) });
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 10)',
  );
  await direct.end();
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  const script = join(mkdtempSync(join(tmpdir(), 'vigil-scope-tree-')), 'script.yaml');
  writeFileSync(
    script,
    JSON.stringify({
      rules: [
        { match: { last_user: 'balance' }, reply: { text: `Run this:\n\n\`\`\`sql\n${PROPOSAL}\n\`\`\`` } },
      ],
    }),
  );
  model = await startDemoModel({ host: '127.0.0.1', port: 0, script });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['service:etl'] },
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: url,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['service:etl'],
      },
    ],
  });
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
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'what is the balance' }] }),
  });
  assert.equal(res.status, 200, await res.text());
  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  const i = address.lastIndexOf(':');
  const db = new pg.Client({
    host: address.slice(0, i),
    port: Number(address.slice(i + 1)),
    user: 'etl',
    database: 'vigil',
    password: dbToken,
  });
  await db.connect();
  await db.query(PROPOSAL);
  await db.end();
  modelSession = (await gateway.store.ledger.listSessions({ identity: 'etl', connection: 'oa' }))[0]!.id;
});

after(async () => {
  await gateway?.close();
  await model?.close();
  await server?.close();
});

async function get(token: string, path: string) {
  const res = await fetch(gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
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
