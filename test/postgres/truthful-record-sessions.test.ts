// Attacks on held and cut PostgreSQL sessions: a review must show the statement that would really
// run and release only that one; a held statement ends with its client (whatever it sends last) and
// with a cancel request; a session cut by offboarding commits nothing the server had not yet run.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent } from '../../src/core/events.js';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import { cancel, fe, type RawPgClient } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_truthful_sessions',
    { guardrails: { deny_statements: ['DROP', 'TRUNCATE'], deny_unbounded_writes: true } },
    {},
    {
      policy: {
        rules: [
          {
            name: 'review-contractor-writes',
            match: {
              connections: ['pg'],
              principals: ['group:contractors'],
              statement_kinds: ['INSERT', 'UPDATE', 'DELETE'],
            },
            action: 'review',
            review: { approvers: ['group:security'], required: 1, timeout: '60s' },
          },
        ],
      },
    },
  );
});
after(() => f.close());

const { resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

async function sessionIdOf(app: string): Promise<string> {
  const start = (await pgEvents(f)).find(
    (e) => e.type === 'session.start' && e.payload?.application_name === app,
  );
  assert.ok(start, `no session recorded for ${app}`);
  return start.sessionId;
}

async function sessionEvents(app: string): Promise<StoredEvent[]> {
  const id = await sessionIdOf(app);
  return (await pgEvents(f)).filter((e) => e.sessionId === id);
}

/** Waits for a pending approval in the session of `app` other than those in `seen`. */
async function heldIn(app: string, seen: readonly string[] = []): Promise<ApprovalRecord> {
  const sessionId = await sessionIdOf(app);
  for (let i = 0; i < 200; i++) {
    const pending = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    const found = pending.find((r) => r.sessionId === sessionId && !seen.includes(r.id));
    if (found) return found;
    await sleep(25);
  }
  throw new Error(`nothing held for ${app}`);
}

/** The action Vigil put before the reviewers, as recorded in approval.requested. */
async function reviewedStatement(app: string, approvalId: string): Promise<unknown> {
  const requested = (await sessionEvents(app)).find(
    (e) => e.type === 'approval.requested' && e.payload?.approval_id === approvalId,
  );
  assert.ok(requested, `approval.requested for ${approvalId} is in the ledger`);
  return (requested.payload?.action as { statement?: unknown } | undefined)?.statement;
}

async function decide(
  id: string,
  decision: 'approve' | 'deny',
): Promise<{ status: number; code: string | null }> {
  const res = await fetch(`${f.gateway.url}/api/approvals/${id}/${decision}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: `test ${decision}` }),
  });
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code ?? null };
}

/** The approval's status once it leaves pending, or 'pending' after `ms`. */
async function statusWithin(id: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = (await f.gateway.store.approvals.getApproval(id))?.status ?? 'missing';
    if (status !== 'pending' || Date.now() >= deadline) return status;
    await sleep(25);
  }
}

/** A failing test must not leave a statement held (a later approval could still release it). */
async function denyIfPending(id: string | undefined): Promise<void> {
  if (id && (await f.gateway.store.approvals.getApproval(id))?.status === 'pending') await decide(id, 'deny');
}

test('D3 with review: the held request shows the DELETE the server would run, not a refused Parse', async () => {
  await resetTable();
  const app = 'd3-review';
  const c = await login('bob', app);
  let held: ApprovalRecord | undefined;
  try {
    c.send(fe.parse('s1', 'DELETE FROM t WHERE id > 0'), fe.sync());
    assert.deepEqual((await c.readUntilReady(1)).errors, []);
    c.send(fe.parse('s1', 'INSERT INTO t VALUES (3)'), fe.sync());
    const refused = await c.readUntilReady(1);
    assert.deepEqual(
      refused.errors.map((e) => e.sqlstate),
      ['42P05'],
      'the server keeps the DELETE as s1',
    );
    c.send(fe.bind('', 's1'), fe.execute(''), fe.sync());
    held = await heldIn(app);
    assert.equal(await reviewedStatement(app, held.id), 'DELETE FROM t WHERE id > 0');
    assert.match(String(held.subject.summary), /DELETE/i);
    assert.doesNotMatch(String(held.subject.summary), /INSERT/i);

    assert.equal((await decide(held.id, 'deny')).status, 200);
    const reply = await c.readUntilReady(1);
    assert.deepEqual(
      reply.errors.map((e) => e.sqlstate),
      ['42501'],
    );
    assert.deepEqual(await rowIds(), [1, 2], 'nothing changed in t');
  } finally {
    await denyIfPending(held?.id);
    c.destroy();
  }
  await assertLedgerVerifies(f.gateway);
});

const LEAVINGS: Record<string, (c: RawPgClient) => void> = {
  'a Terminate': (c) => c.socket.end(fe.terminate()),
  'another Query': (c) => c.socket.end(fe.query('SELECT 1')),
  'one junk byte': (c) => c.socket.end(Buffer.from([0x7a])),
  nothing: (c) => c.socket.end(),
};

let nextId = 50;
for (const [how, leave] of Object.entries(LEAVINGS)) {
  test(`D5: a held statement is withdrawn when its client leaves after ${how}`, async () => {
    await resetTable();
    const id = nextId++;
    const app = `d5-${how.replace(/\W+/g, '-')}`;
    const c = await login('bob', app);
    let held: ApprovalRecord | undefined;
    try {
      c.send(fe.query(`INSERT INTO t VALUES (${id})`));
      held = await heldIn(app);
      leave(c);
      assert.equal(await statusWithin(held.id, 2000), 'withdrawn');
      const late = await decide(held.id, 'approve');
      assert.notEqual(late.status, 200, 'a withdrawn request cannot be approved');
      assert.match(String(late.code), /^approval_(closed|withdrawn)$/);
      await sleep(300);
      assert.deepEqual(await rowIds(), [1, 2], `row ${id} never appears`);
    } finally {
      await denyIfPending(held?.id);
      c.destroy();
    }
    await assertLedgerVerifies(f.gateway);
  });
}

test('D13: a CancelRequest withdraws a held statement; the client gets 57014 and goes on', async () => {
  await resetTable();
  const app = 'd13-cancel';
  const c = await login('bob', app);
  let held: ApprovalRecord | undefined;
  try {
    assert.ok(c.backendKey, 'Vigil sent a BackendKeyData');
    c.send(fe.query('INSERT INTO t VALUES (13)'));
    held = await heldIn(app);
    await cancel(f.host, f.port, c.backendKey.pid, c.backendKey.secret);
    assert.equal(await statusWithin(held.id, 2000), 'withdrawn');
    const reply = await c.readUntilReady(1);
    assert.equal(reply.closed, false, 'the session goes on');
    assert.match(reply.codes, /EZ$/, reply.codes);
    assert.equal(reply.errors.at(-1)?.sqlstate, '57014');
    assert.deepEqual((await c.query('SELECT 1')).rows, [['1']]);
    assert.deepEqual(await rowIds(), [1, 2], 'row 13 never appears');
  } finally {
    await denyIfPending(held?.id);
    c.destroy();
  }
  await assertLedgerVerifies(f.gateway);
});

test('an approval releases only the statement reviewed, in one extended-protocol pipeline', async () => {
  await resetTable();
  const app = 'binding';
  const c = await login('bob', app);
  const ids: string[] = [];
  try {
    c.send(
      fe.parse('', 'INSERT INTO t VALUES (5)'),
      fe.bind('', ''),
      fe.execute(''),
      fe.parse('', 'DELETE FROM t WHERE id > 0'),
      fe.bind('', ''),
      fe.execute(''),
      fe.sync(),
    );
    const first = await heldIn(app);
    ids.push(first.id);
    assert.equal(await reviewedStatement(app, first.id), 'INSERT INTO t VALUES (5)');
    assert.equal((await decide(first.id, 'approve')).status, 200);

    const second = await heldIn(app, ids);
    ids.push(second.id);
    assert.equal(await reviewedStatement(app, second.id), 'DELETE FROM t WHERE id > 0');
    assert.equal((await decide(second.id, 'deny')).status, 200);

    const reply = await c.readUntilReady(1);
    assert.deepEqual(
      reply.errors.map((e) => e.sqlstate),
      ['42501'],
      reply.codes,
    );
    // The denial fails the pipeline's implicit transaction as a server error would: the approved
    // INSERT ran (its db.result says so) and was rolled back with the rest of the batch, exactly
    // what the client was told by the error before Sync.
    assert.deepEqual(
      await rowIds(),
      [1, 2],
      `the denied DELETE did not run and the batch rolled back (client saw ${reply.codes})`,
    );

    const approvalOf = (e: StoredEvent) => (e.payload?.approval ?? null) as { id?: string } | null;
    const released = (await sessionEvents(app)).filter((e) => e.type === 'db.query' && approvalOf(e));
    assert.deepEqual(
      released.map((e) => [e.payload?.statement, approvalOf(e)?.id]),
      [['INSERT INTO t VALUES (5)', first.id]],
      'only the reviewed INSERT ran under an approval',
    );
  } finally {
    for (const id of ids) await denyIfPending(id);
    c.destroy();
  }
  await assertLedgerVerifies(f.gateway);
});

// These disable alice, so they run last and enable her again.
const CUT_VARIANTS: Record<string, { id: number; send: (c: RawPgClient) => void }> = {
  'simple query': {
    id: 99,
    send: (c) => c.send(fe.query('SELECT pg_sleep(3); INSERT INTO t VALUES (99)')),
  },
  'extended protocol': {
    id: 98,
    send: (c) =>
      c.send(
        fe.parse('', 'SELECT pg_sleep(3)'),
        fe.bind('', ''),
        fe.execute(''),
        fe.parse('', 'INSERT INTO t VALUES (98)'),
        fe.bind('', ''),
        fe.execute(''),
        fe.sync(),
      ),
  },
};

for (const [variant, { id, send }] of Object.entries(CUT_VARIANTS)) {
  test(`D11: a session cut by offboarding commits nothing after the cut (${variant})`, {
    timeout: 30_000,
  }, async () => {
    await resetTable();
    const c = await login('alice', `d11-${variant.replace(/\W+/g, '-')}`);
    assert.ok(c.loggedIn, c.login.codes);
    try {
      send(c);
      await sleep(300);
      await f.gateway.store.access.disableIdentity(
        'alice',
        new Date().toISOString(),
        'offboarded mid-statement',
      );
      const reply = await c.readUntilClosed();
      assert.equal(reply.closed, true, 'the client connection is closed');
      await sleep(4000);
      assert.deepEqual(await rowIds(), [1, 2], `row ${id} was committed after the cut`);
    } finally {
      await f.gateway.store.access.enableIdentity('alice');
      c.destroy();
      // The revocation watcher polls every 250 ms: let it see alice enabled before the next test.
      await sleep(600);
    }
    await assertLedgerVerifies(f.gateway);
  });
}
