// Attacker: a signed-in user probes what they may not do through the admin API: admin routes, a
// forged cross-site POST riding the console cookie, approving their own request, deciding a request
// they are no reviewer of. Every such refusal must reach the ledger as `access.denied`, with its
// code, attributed to whoever tried (as refusals on connections and at sign-in are), so the
// security team's search for refused access (and a SIEM's `event.outcome: failure`) finds them;
// an `admin.action` with a bare status says neither that it was refused nor why.
// Real parts: the gateway and its admin API over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

/** The parts of admin API answers these tests read. */
interface ApiBody {
  readonly error?: { readonly code: string };
  readonly approval?: { readonly id: string };
  readonly roles?: readonly string[];
}

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['group:ai-eng'] },
    ],
    approvals: { access_requests: { approvers: ['group:security', 'group:contractors'] } },
  });
});

after(() => gateway?.close());

async function call(method: string, path: string, headers: Record<string, string>, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

async function adminEvents(): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection: 'admin-api', limit: 1000 });
  return (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
}

function deniedFor(events: StoredEvent[], subject: string, code: string, path: string): boolean {
  return events.some(
    (e) =>
      e.type === 'access.denied' &&
      e.identity.subject === subject &&
      e.payload?.code === code &&
      e.payload?.path === path,
  );
}

test("a user's refused admin calls are recorded as access.denied with their code", async () => {
  const bob = { authorization: `Bearer ${TOKENS.bob}` };
  assert.equal((await call('GET', '/api/tokens', bob)).status, 403);
  assert.equal((await call('POST', '/api/users/alice/disable', bob, {})).status, 403);

  const asked = await call('POST', '/api/access-requests', bob, {
    connection: 'oa',
    duration: '1h',
    reason: 'need it',
  });
  assert.equal(asked.status, 201);
  const id = asked.body.approval!.id;
  // bob is in group:contractors, an approver group: only the self-check stops him.
  const self = await call('POST', `/api/approvals/${id}/approve`, bob, { reason: 'mine' });
  assert.equal(self.body.error?.code, 'approval_self');

  // A cross-site form riding bob's console cookie, without the console's header.
  const forged = await call(
    'POST',
    `/api/approvals/${id}/deny`,
    { cookie: `vigil_console=${TOKENS.bob}` },
    {
      reason: 'forged',
    },
  );
  assert.equal(forged.body.error?.code, 'csrf_refused');

  const events = await adminEvents();
  assert.ok(deniedFor(events, 'bob', 'forbidden_role', '/api/tokens'), 'forbidden_role not recorded');
  assert.ok(deniedFor(events, 'bob', 'forbidden_role', '/api/users/alice/disable'));
  assert.ok(deniedFor(events, 'bob', 'approval_self', `/api/approvals/${id}/approve`));
  assert.ok(deniedFor(events, 'bob', 'csrf_refused', `/api/approvals/${id}/deny`));
  // Calls that were answered stay admin.action.
  assert.ok(
    events.some(
      (e) =>
        e.type === 'admin.action' &&
        e.identity.subject === 'bob' &&
        e.payload?.path === '/api/access-requests',
    ),
  );
});
