// Input to the admin API that no route can act on is answered 400 with its code, not 500 `internal`
// with the message of whatever threw inside (a RangeError from toISOString, PostgreSQL's refusal of a
// NUL character). On PostgreSQL, where a NUL reached the store after the ledger had recorded the call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway(
    {
      connections: [{ name: 'oa', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['*'] }],
      approvals: { break_glass: { allowed: ['*'] } },
    },
    undefined,
    { store: 'postgres' },
  );
});

after(() => gateway?.close());

async function call(token: string, method: string, path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: await res.text() };
}

const createToken = (body: object) => call(TOKENS.alice, 'POST', '/api/tokens', body);

test('a service token whose expiry no date can spell is a usage error', async () => {
  for (const ttl of [1e308, '99999999999d', '1e5d' /* not a duration */]) {
    const res = await createToken({ service_account: 'etl', connections: ['oa'], ttl });
    assert.equal(res.status, 400, `ttl ${ttl}: ${res.body}`);
    assert.equal(res.code, 'usage');
  }
  assert.deepEqual(await gateway.store.access.listServiceTokens(), []);
});

test('connections given as anything but a list is a usage error, not a token for no connection', async () => {
  const res = await createToken({ service_account: 'etl', connections: 'oa', ttl: '1h' });
  assert.equal(res.status, 400, res.body);
  assert.equal(res.code, 'usage');
  const ok = await createToken({ service_account: 'etl', connections: ['oa'], ttl: '1h' });
  assert.equal(ok.status, 201, ok.body);
  assert.deepEqual((JSON.parse(ok.body) as { connections: string[] }).connections, ['oa']);
});

test('a NUL character anywhere in a call is a usage error, and nothing is recorded as done', async () => {
  const calls: [string, string, string, object?][] = [
    [TOKENS.bob, 'GET', '/api/sessions?since=%00'],
    [TOKENS.bob, 'GET', '/api/sessions?connection=oa%00'],
    [TOKENS.alice, 'GET', '/api/sessions?identity=bob%00'],
    [TOKENS.alice, 'POST', '/api/users/bob%00/disable', {}],
    [TOKENS.alice, 'POST', '/api/users/bob/disable', { reason: 'left\u0000' }],
    [TOKENS.alice, 'POST', '/api/tokens', { service_account: 'etl\u0000', ttl: '1h' }],
    [TOKENS.bob, 'POST', '/api/break-glass', { connection: 'oa', reason: 'down\u0000now' }],
  ];
  for (const [token, method, path, body] of calls) {
    const res = await call(token, method, path, body);
    assert.equal(res.status, 400, `${method} ${path}: ${res.body}`);
    assert.equal(res.code, 'usage', `${method} ${path}`);
    assert.doesNotMatch(res.body, /UTF8|byte sequence/, 'no database error is quoted');
  }
  // The break-glass was refused before the ledger said access was granted.
  const bob = await gateway.store.ledger.listSessions({ identity: 'bob', connection: 'oa' });
  for (const session of bob) {
    const types = (await gateway.store.ledger.readSession(session.id)).map((e) => e.type);
    assert.ok(!types.includes('access.granted'), types.join(','));
  }
  assert.deepEqual(await gateway.store.access.disabledIdentities(), []);
});

test('a reason given for disabling someone is masked before it is stored or answered', async () => {
  const key = 'sk-proj-Rq7XvN2mB7kL4pR9tW3yH6cJ1dF5gA0sT8uV';
  const disabled = await call(TOKENS.alice, 'POST', '/api/users/carol/disable', {
    reason: `left; her key ${key} is rotated`,
  });
  assert.equal(disabled.status, 200, disabled.body);
  const listed = await call(TOKENS.alice, 'GET', '/api/users/disabled');
  assert.ok(!listed.body.includes(key), `the answer holds the reason masked: ${listed.body}`);
  assert.match(listed.body, /her key \[MASKED:openai-key:[0-9a-f]{6}\] is rotated/);
  const stored = await gateway.store.access.disabledIdentities();
  assert.ok(!JSON.stringify(stored).includes(key), 'the store holds it masked');
  await call(TOKENS.alice, 'POST', '/api/users/carol/enable', {});
});
