// A gateway on a PostgreSQL store; bob asks for access, then files many newer access requests of his
// own. docs/policy.md promises that a request nobody decides by its deadline is closed then
// (approval.decided with outcome timeout, recorded as vigil). Each gateway's expiry poll read only
// the newest 200 pending requests, so a requester who kept 200 newer ones pending held an old one
// open past its deadline for as long as he liked. And nothing bounded how many he could file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';

/** Long enough to file the flood before the first request's deadline passes. */
const TIMEOUT_MS = 12_000;
const FLOOD = 210;
/** approvals.access_requests.max_pending, set below the default (250) to see the setting used. */
const MAX_PENDING = 220;
let g: TestGateway;

before(async () => {
  g = await startTestGateway(
    {
      connections: [
        {
          name: 'oa',
          type: 'llm-openai',
          upstream: 'http://127.0.0.1:9',
          allow: ['*'],
          requires_grant: true,
        },
      ],
      approvals: {
        access_requests: {
          approvers: ['group:security'],
          max_duration: '2h',
          timeout: `${TIMEOUT_MS}ms`,
          max_pending: MAX_PENDING,
        },
      },
    },
    undefined,
    { store: 'postgres' },
  );
});
after(async () => {
  await g?.close();
  await closeSharedTestPostgres();
});

async function requestAccess(reason: string, token = TOKENS.bob) {
  const res = await fetch(`${g.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'oa', duration: '1h', reason }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are free-form JSON read by the assertions
  const body = (await res.json()) as any;
  return { status: res.status, code: res.headers.get('x-vigil-error'), body };
}

async function flood(count: number, label: string, token = TOKENS.bob): Promise<void> {
  for (let i = 0; i < count; i += 15) {
    const batch = Array.from({ length: Math.min(15, count - i) }, (_, n) =>
      requestAccess(`${label} ${i + n}`, token),
    );
    for (const r of await Promise.all(batch)) assert.equal(r.status, 201, JSON.stringify(r.body));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a request past its deadline expires however many newer ones are pending', async () => {
  const asked = await requestAccess('INC-9');
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const victim = asked.body.approval as ApprovalRecord;
  // A gap, so the flood's own deadlines come well after the victim's.
  await sleep(2_000);
  const started = Date.now();
  await flood(FLOOD, 'filler');
  assert.ok(Date.now() - started < TIMEOUT_MS - 4_000, 'the flood was filed in time for the check');

  // A second past the deadline: a few polls (250 ms) later, and before any filler is due.
  await sleep(Math.max(0, Date.parse(victim.expiresAt) + 1_000 - Date.now()));
  const pending = await g.store.approvals.listApprovals({ status: 'pending', limit: 1_000 });
  assert.ok(pending.length >= 200, `${pending.length} newer requests still wait`);
  assert.equal((await g.store.approvals.getApproval(victim.id))?.status, 'expired', 'closed at its deadline');

  await g.recorder.drain();
  const events = await g.store.ledger.readSession(victim.sessionId);
  const closed = events.find((e) => e.type === 'approval.decided');
  assert.equal(closed?.payload?.outcome, 'timeout', 'the timeout is in the ledger');
  assert.equal(closed?.identity.subject, 'vigil');
});

test(`one requester may have at most ${MAX_PENDING} access requests waiting`, async () => {
  // audrey's requests are fresh (none is near its deadline), so the count cannot fall meanwhile.
  await flood(MAX_PENDING, 'more', TOKENS.audrey);
  const refused = await requestAccess('one too many', TOKENS.audrey);
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  assert.equal(refused.code, 'approval_limit');
  // Another requester is not held back by audrey's queue.
  const other = await requestAccess('INC-10', TOKENS.alice);
  assert.equal(other.status, 201, JSON.stringify(other.body));
});
