// Every admin API route against every role (admin, auditor, user) and an anonymous caller.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;
let aliceSession: string;
let tokenId: string;
let approvalId: string;
let approval2Id: string;

type Caller = 'admin' | 'auditor' | 'user' | 'anonymous';
const TOKEN_OF: Record<Caller, string | null> = {
  admin: TOKENS.alice,
  auditor: TOKENS.audrey,
  user: TOKENS.bob,
  anonymous: null,
};

before(async () => {
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['group:ai-eng'] },
    ],
    approvals: {
      access_requests: { approvers: ['group:security'], required: 2 },
      break_glass: { allowed: ['group:security'] },
    },
  });
  await call('admin', 'GET', '/api/whoami');
  const sessions = await gateway.store.ledger.listSessions({ identity: 'alice' });
  aliceSession = sessions[0]!.id;
  const created = await call('admin', 'POST', '/api/tokens', { service_account: 'etl', ttl: '1h' });
  tokenId = (created.body as { id: string }).id;
  const request = { connection: 'oa', duration: '1h', reason: 'matrix' };
  approvalId = (
    (await call('user', 'POST', '/api/access-requests', request)).body as { approval: { id: string } }
  ).approval.id;
  approval2Id = (
    (await call('user', 'POST', '/api/access-requests', request)).body as { approval: { id: string } }
  ).approval.id;
});

/** The newest grant: the break-glass row creates it before the revoke row runs. */
async function newestGrant(): Promise<string> {
  const [grant] = await gateway.store.approvals.listGrants();
  return grant?.id ?? 'gr_none';
}

after(() => gateway?.close());

async function call(caller: Caller, method: string, path: string, body?: object) {
  const token = TOKEN_OF[caller];
  const res = await fetch(gateway.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  // A server-sent-events stream never ends by itself: its status is what the matrix checks.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, body: null };
  }
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
  // One node of the tree (the web console opens nodes one by one): none here, the same clear 400.
  ['GET', '/api/sessions/:alice/tree/nodes/r_x:0', 400, 400, 404, 401],
  // The terminal recording for the console's player: none in this session, so `terminal: null`.
  ['GET', '/api/sessions/:alice/terminal', 200, 200, 404, 401],
  // The whole held action of a request: this one is an access request of another session, so none.
  ['GET', '/api/sessions/:alice/approvals/:approval/action', 404, 404, 404, 401],
  ['GET', '/api/sessions/:alice/export', 200, 200, 403, 401],
  // The session's own check (chain and checkpoint inclusion): whoever may read the session.
  ['GET', '/api/sessions/:alice/verify', 200, 200, 404, 401],
  ['GET', '/api/ledger/verify', 200, 200, 403, 401],
  ['GET', '/api/siem', 200, 200, 403, 401],
  ['GET', '/api/tokens', 200, 403, 403, 401],
  ['POST', '/api/tokens', 201, 403, 403, 401],
  ['DELETE', '/api/tokens/:token', 200, 403, 403, 401],
  ['GET', '/api/users/disabled', 200, 403, 403, 401],
  ['POST', '/api/users/someone@example.com/disable', 200, 403, 403, 401],
  ['POST', '/api/users/someone@example.com/enable', 200, 403, 403, 401],
  ['POST', '/api/scim/tokens', 201, 403, 403, 401],
  ['GET', '/api/scim/tokens', 200, 403, 403, 401],
  // A service token's id names no SCIM token: the admin learns so, the others may not ask.
  ['DELETE', '/api/scim/tokens/:token', 404, 403, 403, 401],
  // Approvals: anyone signed in may call; what they may see or decide depends on the request.
  ['GET', '/api/approvals', 200, 200, 200, 401],
  // The web console's live inbox: the same visibility as the list, as server-sent events.
  ['GET', '/api/approvals/stream', 200, 200, 200, 401],
  // bob (user) asked for it; audrey (auditor) is an approver; alice is an admin.
  ['GET', '/api/approvals/:approval', 200, 200, 200, 401],
  // Two approvals needed: alice is no approver, audrey's vote counts, bob may not approve his own.
  ['POST', '/api/approvals/:approval/approve', 403, 200, 403, 401],
  // One denial closes a request: after audrey's, bob finds it closed.
  ['POST', '/api/approvals/:approval2/deny', 403, 200, 409, 401],
  ['POST', '/api/access-requests', 201, 201, 201, 401],
  // Only group:security may break glass.
  ['POST', '/api/break-glass', 403, 201, 403, 401],
  ['GET', '/api/grants', 200, 200, 200, 401],
  // An admin revokes anyone's grant; the auditor then finds it already revoked; bob cannot see it.
  ['POST', '/api/grants/:grant/revoke', 200, 404, 404, 401],
];

const BODIES: Record<string, object> = {
  '/api/tokens': { service_account: 'etl', ttl: '1h' },
  '/api/scim/tokens': { name: 'matrix' },
  '/api/access-requests': { connection: 'oa', duration: '1h', reason: 'matrix' },
  '/api/break-glass': { connection: 'oa', duration: '10m', reason: 'matrix emergency' },
};

test('the matrix covers every admin route', () => {
  const concrete = (template: string) =>
    template
      .replace(':alice', 'x_1')
      .replace(':token', 'x_1')
      .replace(/:approval2?/, 'x_1')
      .replace(':grant', 'x_1');
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
      const path = template
        .replace(':alice', aliceSession)
        .replace(':token', tokenId)
        .replace(':approval2', approval2Id)
        .replace(':approval', approvalId)
        .replace(':grant', template.includes(':grant') ? await newestGrant() : '');
      const body = method === 'POST' ? (BODIES[path] ?? { reason: 'matrix decision' }) : undefined;
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
  for (const s of await gateway.store.ledger.listSessions({ connection: 'admin-api', limit: 1000 })) {
    events.push(...(await gateway.store.ledger.readSession(s.id)));
  }
  const actions = events.filter((e) => e.type === 'admin.action');
  // A refusal is recorded as access.denied with its code, under whoever tried.
  assert.ok(
    events.some(
      (e) =>
        e.type === 'access.denied' &&
        e.identity.subject === 'bob' &&
        e.payload?.status === 403 &&
        e.payload?.code === 'forbidden_role' &&
        e.payload?.path === '/api/tokens',
    ),
  );
  assert.ok(actions.some((e) => e.identity.subject === 'alice' && e.payload?.method === 'DELETE'));
  assert.ok(events.some((e) => e.type === 'access.denied' && e.identity.subject === 'anonymous'));
  assert.ok(events.some((e) => e.type === 'audit.viewed' && e.identity.subject === 'audrey'));
});
