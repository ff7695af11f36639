// Every admin API route against every role (admin, auditor, user) and an anonymous caller.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;
let aliceSession: string;
let tokenId: string;

type Caller = 'admin' | 'auditor' | 'user' | 'anonymous';
const TOKEN_OF: Record<Caller, string | null> = {
  admin: TOKENS.alice,
  auditor: TOKENS.audrey,
  user: TOKENS.bob,
  anonymous: null,
};

before(async () => {
  gateway = await startTestGateway({ connections: [] });
  await call('admin', 'GET', '/api/whoami');
  const sessions = await gateway.store.listSessions({ identity: 'alice' });
  aliceSession = sessions[0]!.id;
  const created = await call('admin', 'POST', '/api/tokens', { service_account: 'etl', ttl: '1h' });
  tokenId = (created.body as { id: string }).id;
});

after(() => gateway?.close());

async function call(caller: Caller, method: string, path: string, body?: object) {
  const token = TOKEN_OF[caller];
  const res = await fetch(gateway.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** [method, path template, expected status for admin, auditor, user, anonymous] */
const MATRIX: [string, string, number, number, number, number][] = [
  ['GET', '/api/whoami', 200, 200, 200, 401],
  ['GET', '/api/sessions', 200, 200, 200, 401],
  ['GET', '/api/sessions/:alice', 200, 200, 404, 401],
  ['GET', '/api/sessions/:alice/events', 200, 200, 404, 401],
  ['GET', '/api/sessions/:alice/tree', 200, 200, 404, 401],
  // Alice's admin session has no model calls: the path is a clear 400 for those who may read it.
  ['GET', '/api/sessions/:alice/tree/path', 400, 400, 404, 401],
  ['GET', '/api/sessions/:alice/export', 200, 200, 403, 401],
  ['GET', '/api/ledger/verify', 200, 200, 403, 401],
  ['GET', '/api/tokens', 200, 403, 403, 401],
  ['POST', '/api/tokens', 201, 403, 403, 401],
  ['DELETE', '/api/tokens/:token', 200, 403, 403, 401],
  ['GET', '/api/users/disabled', 200, 403, 403, 401],
  ['POST', '/api/users/someone@example.com/disable', 200, 403, 403, 401],
  ['POST', '/api/users/someone@example.com/enable', 200, 403, 403, 401],
];

test('the matrix covers every admin route', () => {
  const concrete = (template: string) => template.replace(':alice', 'x_1').replace(':token', 'x_1');
  for (const route of gateway.admin.routes) {
    const covered = MATRIX.some(
      ([method, template]) => method === route.method && route.pattern.test(concrete(template)),
    );
    assert.ok(covered, `no matrix row for ${route.method} ${route.pattern}`);
  }
});

test('each role gets exactly the access the matrix says', async () => {
  const callers: Caller[] = ['admin', 'auditor', 'user', 'anonymous'];
  for (const [method, template, ...expected] of MATRIX) {
    for (const [i, caller] of callers.entries()) {
      const path = template.replace(':alice', aliceSession).replace(':token', tokenId);
      const body =
        method === 'POST' && path === '/api/tokens' ? { service_account: 'etl', ttl: '1h' } : undefined;
      const { status, body: answer } = await call(caller, method, path, body);
      assert.equal(status, expected[i], `${caller} ${method} ${path}: ${JSON.stringify(answer)}`);
      if (status >= 400) assert.equal(typeof (answer as { error: { code: string } }).error.code, 'string');
    }
  }
});

test('a user lists only their own sessions', async () => {
  await call('user', 'GET', '/api/whoami');
  const { body } = await call('user', 'GET', '/api/sessions?identity=alice');
  const subjects = new Set(
    (body as { sessions: { identity: { subject: string } }[] }).sessions.map((s) => s.identity.subject),
  );
  assert.deepEqual([...subjects], ['bob']);
});

test('every admin call is recorded, refusals included', async () => {
  const events = [];
  for (const s of await gateway.store.listSessions({ connection: 'admin-api', limit: 1000 })) {
    events.push(...(await gateway.store.readSession(s.id)));
  }
  const actions = events.filter((e) => e.type === 'admin.action');
  assert.ok(
    actions.some(
      (e) => e.identity.subject === 'bob' && e.payload?.status === 403 && e.payload?.path === '/api/tokens',
    ),
  );
  assert.ok(actions.some((e) => e.identity.subject === 'alice' && e.payload?.method === 'DELETE'));
  assert.ok(events.some((e) => e.type === 'access.denied' && e.identity.subject === 'anonymous'));
  assert.ok(events.some((e) => e.type === 'audit.viewed' && e.identity.subject === 'audrey'));
});
