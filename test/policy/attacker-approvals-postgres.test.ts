// An attacker round on held PostgreSQL statements, through node-postgres and the admin API of a real
// gateway: a requester trying to release their own statement (under another spelling, or through a
// service-account token they minted), to reuse one approval for a second statement, to have a
// decision count after their client left or after the deadline, and a reviewer pair deciding at
// once; and what the webhook tells reviewers about a statement that holds a key.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  startPgFixture,
  vigilClient,
} from '../postgres/pg-gateway.js';
import { assertLedgerVerifies, TEST_IDENTITIES, TOKENS } from '../support/gateway.js';

const ALICE_UPPER = 'tok-Alice-upper-0123456789';
const CAROL = 'tok-carol-0123456789';
/** The release bot's credential as vigil.yaml defines it. */
const RELEASE_BOT = 'tok-release-bot-0123456789';
const KEY = 'sk-proj-Rq7XvN2mB7kL4pR9tW3yH6cJ1dF5gA0sT8uV';

let f: PgFixture;
let hooks: Server;
const received: string[] = [];

before(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
  f = await startPgFixture(
    'vigil_attacker_approvals',
    {},
    {},
    {
      identities: [
        ...TEST_IDENTITIES,
        // alice's second account at the provider, differing only in case, in the reviewers' group.
        { name: 'Alice', groups: ['security'], roles: ['user'], token_sha256: hashToken(ALICE_UPPER) },
        { name: 'carol', groups: ['security'], roles: ['user'], token_sha256: hashToken(CAROL) },
        {
          name: 'release-bot',
          kind: 'service',
          groups: [],
          roles: ['user'],
          token_sha256: hashToken(RELEASE_BOT),
        },
      ],
      policy: {
        rules: [
          {
            name: 'review-short',
            match: { connections: ['pg'], statement_kinds: ['DELETE'] },
            action: 'review',
            review: { approvers: ['group:security'], timeout: '1500ms' },
          },
          {
            name: 'review-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE', 'INSERT'] },
            action: 'review',
            // A release bot approves after its own checks: a service account named as an approver.
            review: { approvers: ['group:security', 'service:release-bot'], timeout: '600s' },
          },
        ],
      },
      approvals: { webhooks: [{ url: hookUrl, format: 'json' }], poll: '100ms' },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int, note text);' +
      "insert into accounts values (1, 100, ''), (2, 200, ''), (3, 300, '');",
  );
  await direct.end();
});
after(async () => {
  await f?.close();
  await new Promise((r) => hooks.close(r));
});

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function connect(token = TOKENS.alice): Promise<pg.Client> {
  const client = vigilClient(f, token);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function pendingFrom(requester: string, what: RegExp): Promise<ApprovalRecord> {
  return until(async () => {
    const list = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    return list.find((r) => r.requester.subject === requester && what.test(String(r.subject.summary)));
  }, `a pending request matching ${what}`);
}

async function decide(token: string, id: string, decision: 'approve' | 'deny', reason = 'checked') {
  const res = await fetch(`${f.gateway.url}/api/approvals/${id}/${decision}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
  return { status: res.status, code: res.headers.get('x-vigil-error'), text: await res.text() };
}

async function balance(id: number): Promise<number> {
  const direct = directClient(f);
  await direct.connect();
  try {
    return (await direct.query('select balance from accounts where id = $1', [id])).rows[0].balance;
  } finally {
    await direct.end();
  }
}

test("the requester's second account, spelled in another case, cannot approve", async () => {
  const client = await connect();
  try {
    const running = client.query('update accounts set balance = balance + 1 where id = 1').catch((e) => e);
    const request = await pendingFrom('alice', /balance \+ 1 where id = 1/);
    const self = await decide(ALICE_UPPER, request.id, 'approve');
    assert.equal(self.code, 'approval_self', self.text);
    assert.equal((await decide(CAROL, request.id, 'deny', 'not today')).status, 200);
    assert.match(String((await running).message), /denied/);
    assert.equal(await balance(1), 100);
  } finally {
    await client.end();
  }
});

test('one approval releases one statement: the same text sent again waits again', async () => {
  const client = await connect();
  try {
    const first = client.query('update accounts set balance = balance + 5 where id = 2');
    const request = await pendingFrom('alice', /balance \+ 5 where id = 2/);
    assert.equal((await decide(CAROL, request.id, 'approve')).status, 200);
    await first;
    assert.equal(await balance(2), 205);
    const second = client.query('update accounts set balance = balance + 5 where id = 2').catch((e) => e);
    const again = await until(async () => {
      const list = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
      return list.find(
        (r) => r.id !== request.id && /balance \+ 5 where id = 2/.test(String(r.subject.summary)),
      );
    }, 'the second statement held on its own');
    assert.equal(await balance(2), 205, 'the second statement did not run on the first approval');
    assert.equal((await decide(CAROL, again.id, 'deny', 'once is enough')).status, 200);
    assert.match(String((await second).message), /denied/);
    assert.equal(await balance(2), 205);
  } finally {
    await client.end();
  }
});

test('an approval after the client left, or after the deadline, is refused and nothing runs', async () => {
  const leaving = await connect();
  void leaving.query('delete from accounts where id = 3').catch(() => undefined);
  const left = await pendingFrom('alice', /delete from accounts where id = 3/);
  (leaving as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  const gone = await until(async () => {
    const r = await f.gateway.store.approvals.getApproval(left.id);
    return r?.status === 'withdrawn' ? r : null;
  }, 'the request withdrawn');
  assert.equal(gone.status, 'withdrawn');
  assert.equal((await decide(CAROL, left.id, 'approve')).code, 'approval_closed');

  const waiting = await connect();
  try {
    const late = waiting.query('delete from accounts where id = 3 and balance > 0').catch((e) => e);
    const request = await pendingFrom('alice', /balance > 0/);
    assert.match(String((await late).message), /approval|time/i);
    assert.equal((await decide(CAROL, request.id, 'approve')).code, 'approval_closed');
    assert.equal(await balance(3), 300);
  } finally {
    await waiting.end();
  }
});

test('an approval and a denial at once: one counts, and the table says which', async () => {
  const client = await connect();
  try {
    const running = client.query('update accounts set balance = balance + 7 where id = 1').catch((e) => e);
    const request = await pendingFrom('alice', /balance \+ 7 where id = 1/);
    const [a, d] = await Promise.all([
      decide(CAROL, request.id, 'approve'),
      decide(TOKENS.audrey, request.id, 'deny', 'no'),
    ]);
    const outcome = await running;
    const final = await f.gateway.store.approvals.getApproval(request.id);
    assert.ok(final?.status === 'approved' || final?.status === 'denied', JSON.stringify(final));
    assert.equal(final.votes.length, 1, 'one decision counted');
    assert.equal(await balance(1), final.status === 'approved' ? 107 : 100);
    assert.equal(outcome instanceof Error, final.status === 'denied');
    assert.equal([a, d].filter((r) => r.status === 200).length, 1, JSON.stringify([a, d]));
  } finally {
    await client.end();
  }
});

test('a key in a held statement reaches the webhook, the API and the ledger masked', async () => {
  const client = await connect();
  try {
    const running = client.query(`update accounts set note = 'rotate ${KEY}' where id = 2`).catch((e) => e);
    const request = await pendingFrom('alice', /set note/);
    const hook = await until(
      async () => received.find((b) => b.includes(request.id) && b.includes('approval.requested')),
      'the webhook notice',
    );
    assert.ok(!hook.includes(KEY), hook);
    const api = await fetch(`${f.gateway.url}/api/approvals/${request.id}`, {
      headers: { authorization: `Bearer ${CAROL}` },
    });
    assert.ok(!(await api.text()).includes(KEY));
    assert.equal((await decide(CAROL, request.id, 'deny', 'no')).status, 200);
    await running;
    const events = await pgEvents(f);
    assert.ok(!JSON.stringify(events).includes(KEY));
  } finally {
    await client.end();
  }
});

// alice is an admin, not an approver; the rule names the release bot. Any admin may mint a token for
// any service-account name, and until 7 December the minted token's approval released the statement.
test('a service-account token the requester minted cannot approve their own statement', async () => {
  const minted = await fetch(`${f.gateway.url}/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service_account: 'release-bot', connections: ['pg'], ttl: '1h' }),
  });
  assert.equal(minted.status, 201);
  const { token } = (await minted.json()) as { token: string };
  const client = await connect();
  try {
    const running = client.query('update accounts set balance = 0 where id = 2').catch((e) => e);
    const request = await pendingFrom('alice', /balance = 0 where id = 2/);
    const bot = await decide(token, request.id, 'approve', 'looks fine to me');
    assert.equal(bot.status, 403, bot.text);
    assert.equal(bot.code, 'approval_not_reviewer');
    assert.equal((await f.gateway.store.approvals.getApproval(request.id))?.votes.length, 0);
    const refused = (
      await f.gateway.store.ledger.listSessions({ identity: 'release-bot', limit: 10 })
    ).filter((s) => s.connection === 'admin-api');
    const events = (await Promise.all(refused.map((s) => f.gateway.store.ledger.readSession(s.id)))).flat();
    assert.ok(
      events.some((e) => e.type === 'access.denied' && e.payload?.code === 'approval_not_reviewer'),
      'the refused approval is recorded under the identity that tried',
    );
    // A denial only keeps the statement from running: the minted token may still give one.
    assert.equal((await decide(token, request.id, 'deny', 'not mine to release')).status, 200);
    assert.match(String((await running).message), /denied/);
    assert.equal(await balance(2), 205, 'the statement never reached PostgreSQL');
  } finally {
    await client.end();
  }
});

test("the release bot's credential from vigil.yaml still approves", async () => {
  const was = await balance(2);
  const client = await connect();
  try {
    const running = client.query('update accounts set balance = balance - 5 where id = 2');
    const request = await pendingFrom('alice', /balance - 5 where id = 2/);
    const bot = await decide(RELEASE_BOT, request.id, 'approve', 'CI green');
    assert.equal(bot.status, 200, bot.text);
    await running;
    assert.equal(await balance(2), was - 5);
  } finally {
    await client.end();
  }
});

test('the ledger verifies after the round', async () => {
  await assertLedgerVerifies(f.gateway);
});
