// Time-bound access on a connection that requires a grant: `vigil request-access`, approval by a
// reviewer, a session that is cut when the grant ends, `vigil grants` to list and revoke, and
// break-glass access that skips review holds but is recorded, announced and queued for review.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  startPgFixture,
  vigilClient,
} from '../postgres/pg-gateway.js';
import { type CliRun, runCli } from '../support/cli.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';

let f: PgFixture;
let hooks: Server;
const received: { kind?: string; text?: string; blocks?: unknown[] }[] = [];

before(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/slack`;
  f = await startPgFixture(
    'vigil_grants',
    { allow: ['group:contractors', 'group:security'], requires_grant: true },
    {},
    {
      policy: {
        rules: [
          {
            name: 'review-writes',
            match: { statement_kinds: ['UPDATE'] },
            action: 'review',
            review: { approvers: ['group:ai-eng'], timeout: '600s' },
          },
        ],
      },
      approvals: {
        webhooks: [{ url: hookUrl, format: 'slack' }],
        poll: '100ms',
        access_requests: { approvers: ['group:ai-eng'], max_duration: '2h' },
        break_glass: { allowed: ['group:security'], reviewers: ['group:ai-eng'] },
      },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table flags (id int primary key, on_call boolean); insert into flags values (1, false);',
  );
  await direct.end();
});
after(async () => {
  await f.close();
  await new Promise((r) => hooks.close(r));
});

const cli = (token: string, ...args: string[]): Promise<CliRun> =>
  runCli([...args, '--gateway', f.gateway.url, '--token', token]);

async function connectAs(token: string): Promise<pg.Client> {
  const client = vigilClient(f, token, { database: 'vigil', user: 'someone' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('without a grant the connection is refused, with a hint to request access', async () => {
  await assert.rejects(connectAs(TOKENS.bob), /needs an access grant: vigil request-access pg/);
});

test('an approved access request lets the user in until the grant ends, then the session is cut', async () => {
  const requested = await cli(
    TOKENS.bob,
    'request-access',
    'pg',
    '--duration',
    // Long enough for the CLI runs below on a loaded machine, which must see the grant still live.
    '40s',
    '--reason',
    'debug ticket 7',
    '--json',
  );
  assert.equal(requested.code, 0, requested.stderr);
  const request = JSON.parse(requested.stdout) as ApprovalRecord;
  assert.equal(request.kind, 'access');
  await assert.rejects(connectAs(TOKENS.bob), /needs an access grant/, 'pending is not granted');

  const notice = await until(
    async () =>
      received.find(
        (m) => m.text?.startsWith('Approval requested') && JSON.stringify(m).includes(request.id),
      ),
    'the webhook message for the request',
  );
  assert.ok(Array.isArray(notice.blocks) && notice.blocks.length > 0, 'a Slack message with blocks');

  const self = await cli(TOKENS.bob, 'approvals', 'approve', '--yes', request.id, '--reason', 'me');
  assert.match(self.stderr, /approval_self/);
  const approved = await cli(
    TOKENS.alice,
    'approvals',
    'approve',
    '--yes',
    request.id,
    '--reason',
    'ticket 7 is real',
  );
  assert.equal(approved.code, 0, approved.stderr);

  // Connect first: the grant's clock runs from the approval, and the checks below take time.
  const client = await connectAs(TOKENS.bob);
  const ended = new Promise<number>((resolve) => client.once('end', () => resolve(Date.now())));
  assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
  const grants = await cli(TOKENS.bob, 'grants', '--json');
  const [grant] = JSON.parse(grants.stdout) as { id: string; connection: string; subject: string }[];
  assert.equal(grant?.subject, 'bob');
  assert.equal(grant?.connection, 'pg');

  const cutAt = await ended;
  const events = await pgEvents(f);
  const granted = events.find((e) => e.type === 'access.granted' && e.payload?.grant_id === grant!.id);
  assert.ok(granted, 'access.granted recorded');
  assert.equal(granted.identity.subject, 'alice');
  const expiresAt = Date.parse(String(granted.payload?.expires_at));
  assert.ok(cutAt >= expiresAt && cutAt - expiresAt < 3000, `cut ${cutAt - expiresAt} ms after expiry`);
  const revoked = events.find((e) => e.type === 'access.revoked' && e.payload?.grant_id === grant!.id);
  assert.equal(revoked?.payload?.reason, 'grant-expired');
  await assert.rejects(connectAs(TOKENS.bob), /needs an access grant/, 'expired grants admit nobody');
});

test('vigil grants revoke cuts the live session at once', async () => {
  const requested = await cli(
    TOKENS.bob,
    'request-access',
    'pg',
    '--duration',
    '1h',
    '--reason',
    'long job',
    '--json',
  );
  const request = JSON.parse(requested.stdout) as ApprovalRecord;
  await cli(TOKENS.alice, 'approvals', 'approve', '--yes', request.id, '--reason', 'ok');
  const client = await connectAs(TOKENS.bob);
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  const list = await cli(TOKENS.alice, 'grants', '--json');
  const grant = (JSON.parse(list.stdout) as { id: string; subject: string }[]).find(
    (g) => g.subject === 'bob',
  )!;
  const tooLong = await cli(TOKENS.bob, 'request-access', 'pg', '--duration', '3h', '--reason', 'x');
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /at most 2h/);
  const revoked = await cli(TOKENS.alice, 'grants', 'revoke', grant.id);
  assert.equal(revoked.code, 0, revoked.stderr);
  await ended;
  const events = await pgEvents(f);
  assert.ok(
    events.some(
      (e) =>
        e.type === 'access.revoked' &&
        e.payload?.reason === 'grant-revoked' &&
        e.payload?.grant_id === grant.id,
    ),
  );
});

test('break-glass: a mandatory reason, access at once, review holds skipped but recorded and flagged', async () => {
  const refused = await cli(TOKENS.bob, 'break-glass', 'pg', '--reason', 'I want in');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /break_glass_forbidden/);
  const noReason = await fetch(`${f.gateway.url}/api/break-glass`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'pg', reason: '   ' }),
  });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.headers.get('x-vigil-error'), 'reason_required');

  const used = await cli(
    TOKENS.audrey,
    'break-glass',
    'pg',
    '--duration',
    '10m',
    '--reason',
    'incident INC-9: pager storm',
    '--json',
  );
  assert.equal(used.code, 0, used.stderr);
  const { grant, review } = JSON.parse(used.stdout) as { grant: { id: string }; review: ApprovalRecord };
  const client = await connectAs(TOKENS.audrey);
  const result = await client.query('update flags set on_call = true where id = 1');
  assert.equal(result.rowCount, 1, 'the UPDATE ran without waiting for review');
  await client.end();

  const events = await pgEvents(f);
  const decision = events.find((e) => e.type === 'policy.decision' && e.payload?.break_glass === grant.id);
  assert.equal(decision?.payload?.rule, 'review-writes');
  const query = events.find(
    (e) => e.type === 'db.query' && /update flags/.test(String(e.payload?.statement)),
  );
  assert.equal(query?.payload?.break_glass, grant.id);

  const pending = await cli(TOKENS.alice, 'approvals', 'list', '--kind', 'break-glass', '--json');
  assert.ok(
    (JSON.parse(pending.stdout) as ApprovalRecord[]).some((r) => r.id === review.id),
    'queued for review',
  );
  await until(
    async () => received.find((m) => m.text?.includes('break-glass')),
    'the break-glass announcement',
  );
  const reviewed = await cli(
    TOKENS.alice,
    'approvals',
    'approve',
    '--yes',
    review.id,
    '--reason',
    'justified by INC-9',
  );
  assert.equal(reviewed.code, 0, reviewed.stderr);
});

test('reasons people write are masked before they are stored, answered or sent to a webhook', async () => {
  const key = 'sk-proj-Rq7XvN2mB7kL4pR9tW3yH6cJ1dF5gA0sT8uV';
  const requested = await cli(
    TOKENS.bob,
    'request-access',
    'pg',
    '--duration',
    '1m',
    '--reason',
    `rotate ${key} today`,
    '--json',
  );
  assert.equal(requested.code, 0, requested.stderr);
  const request = JSON.parse(requested.stdout) as ApprovalRecord;
  assert.ok(!requested.stdout.includes(key), 'the answer holds the reason masked');
  assert.match(request.reason, /^rotate \[MASKED:openai-key:[0-9a-f]{6}\] today$/);
  const notice = await until(
    async () => received.find((m) => JSON.stringify(m).includes(request.id)),
    'the webhook message for the request',
  );
  assert.ok(!JSON.stringify(notice).includes(key), 'the webhook message holds it masked');
  const denied = await cli(TOKENS.alice, 'approvals', 'deny', request.id, '--reason', `not for ${key}`);
  assert.equal(denied.code, 0, denied.stderr);
  const stored = await fetch(`${f.gateway.url}/api/approvals/${request.id}`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  const text = await stored.text();
  assert.equal(stored.status, 200, text);
  assert.ok(!text.includes(key), 'the stored request and vote hold the reasons masked');
  assert.match(text, /not for \[MASKED:openai-key:/);
});

test('the ledger verifies after grants, cuts and break-glass', async () => {
  await assertLedgerVerifies(f.gateway);
});
