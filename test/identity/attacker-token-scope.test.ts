// A service account holds two tokens: one limited to the model connection (given to an agent), one to
// the database (the ETL job's). Whoever holds the model token must not reach past it through the
// admin API: not read the database sessions the other token recorded (the rows they returned), not
// ask for access or break glass on the database, not see or decide requests about it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;
/** etl's token for the model connection `oa` only. */
let agentToken: string;
let dbSession: string;
let dbApproval: string;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, respond: () => ({ text: 'rows: 4111 1111' }) });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['service:etl'] },
      // Stands in for the database: another connection the other token alone is scoped to.
      { name: 'db', type: 'llm-openai', upstream: model.url, allow: ['service:etl'] },
    ],
    approvals: {
      access_requests: { approvers: ['service:etl', 'group:security'], required: 1 },
      break_glass: { allowed: ['service:etl'] },
    },
  });
  const oa = await createServiceToken(gateway.store.access, {
    name: 'etl',
    connections: ['oa'],
    ttlMs: 3_600_000,
  });
  const db = await createServiceToken(gateway.store.access, {
    name: 'etl',
    connections: ['db'],
    ttlMs: 3_600_000,
  });
  agentToken = oa.token;
  for (const [connection, token] of [
    ['db', db.token],
    ['oa', agentToken],
  ] as const) {
    const res = await fetch(`${gateway.url}/c/${connection}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: `on ${connection}` }] }),
    });
    assert.equal(res.status, 200, await res.text());
  }
  dbSession = (await gateway.store.ledger.listSessions({ identity: 'etl', connection: 'db' }))[0]!.id;
  // bob asks for the database; etl (any of its tokens, by the rule) is an approver.
  const asked = await call(TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'db',
    duration: '1h',
    reason: 'nightly load',
  });
  dbApproval = (asked.body as { approval: { id: string } }).approval.id;
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

async function call(token: string, method: string, path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: (await res.json()) as unknown };
}

test("a token scoped to one connection lists and reads only that connection's sessions", async () => {
  const listed = await call(agentToken, 'GET', '/api/sessions');
  const connections = (listed.body as { sessions: { connection: string }[] }).sessions.map(
    (s) => s.connection,
  );
  assert.ok(connections.includes('oa'), 'its own connection is listed');
  assert.deepEqual(
    connections.filter((c) => c !== 'oa'),
    [],
    'no session of another connection is listed',
  );
  const named = await call(agentToken, 'GET', '/api/sessions?connection=db');
  assert.deepEqual((named.body as { sessions: unknown[] }).sessions, []);
  // Not even whether a session it may not read matched a search (next_until of a full page).
  const admin = await call(TOKENS.alice, 'GET', '/api/sessions?identity=etl&search=on%20db&limit=1');
  assert.equal((admin.body as { sessions: unknown[] }).sessions.length, 1, 'the search finds the db session');
  const searched = await call(agentToken, 'GET', '/api/sessions?search=on%20db&limit=1');
  assert.deepEqual(searched.body, { sessions: [], next_until: null, next_after_id: null });
  for (const suffix of ['', '/events', '/tree', '/terminal', '/verify']) {
    const read = await call(agentToken, 'GET', `/api/sessions/${dbSession}${suffix}`);
    assert.equal(read.status, 404, `GET /api/sessions/:db${suffix}: ${JSON.stringify(read.body)}`);
    assert.equal(read.code, 'session_unknown');
  }
});

test('a token scoped to one connection cannot ask for, break glass on, see or decide another', async () => {
  const asked = await call(agentToken, 'POST', '/api/access-requests', {
    connection: 'db',
    duration: '1h',
    reason: 'agent wants the database',
  });
  assert.equal(asked.status, 403);
  assert.equal(asked.code, 'forbidden_connection');
  const glass = await call(agentToken, 'POST', '/api/break-glass', {
    connection: 'db',
    reason: 'agent emergency',
  });
  assert.equal(glass.status, 403);
  assert.equal(glass.code, 'forbidden_connection');
  assert.deepEqual(await gateway.store.approvals.listGrants({ subject: 'etl' }), [], 'no grant was made');

  const list = await call(agentToken, 'GET', '/api/approvals');
  assert.deepEqual((list.body as { approvals: unknown[] }).approvals, []);
  const approve = await call(agentToken, 'POST', `/api/approvals/${dbApproval}/approve`, { reason: 'sure' });
  assert.equal(approve.status, 404);
  assert.equal(approve.code, 'approval_unknown');
  assert.equal((await gateway.store.approvals.getApproval(dbApproval))?.status, 'pending');
});

test('within its scope the token still works: its own sessions, a request on its connection', async () => {
  const oaSession = (await gateway.store.ledger.listSessions({ identity: 'etl', connection: 'oa' }))[0]!.id;
  assert.equal((await call(agentToken, 'GET', `/api/sessions/${oaSession}/events`)).status, 200);
  const asked = await call(agentToken, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'more time on the model',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
});
