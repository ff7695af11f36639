// A body's record, and what a reviewer approving it sees, must be what the upstream runs, whatever
// the sender labels it. Go handlers (`json.NewDecoder(r.Body)`), Flask's `get_json(force=True)` and
// Rack (a form, when there is no content type) read a body without looking at its content type; the
// upstream here does too. Vigil recorded a body whose content type named no text by its hash only,
// so a payment sent as `application/octet-stream`, or with no content type, ran while the record,
// and the reviewer approving it, saw `binary: true` (until 6 December).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { sendThrough } from './send-through.js';

/** A key the caller sends in the body: it must be masked in the record, as a labelled body's is. */
const CALLER_KEY = 'sk-proj-CallerKeyInsideAnUnlabelledBody0123456789abcdef';

let upstream: Server;
let gateway: TestGateway;
/** The payments the upstream ran, as it parsed them. */
const ran: unknown[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Parsed as JSON whatever the content type says.
      try {
        ran.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_DEC6_BODIES_KEY = 'sk-proj-UnlabelledNeverHeldByTheCaller0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'pay',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_DEC6_BODIES_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-payments',
          match: { connections: ['pay'], events: ['http.request'], pattern: '^POST /v1/payments' },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const payment = (n: number) =>
  JSON.stringify({ amount: 1_000_000 + n, to: 'acct_attacker', key: CALLER_KEY });

test('a JSON body sent unlabelled or as binary is recorded as the text the upstream ran, masked', async () => {
  const types = [undefined, 'application/octet-stream', 'application/x-unknown'];
  for (const [i, type] of types.entries()) {
    const res = await sendThrough(
      gateway.url,
      'pay',
      'POST',
      '/v1/transfers',
      type === undefined ? {} : { 'content-type': type },
      payment(i),
    );
    assert.equal(res.status, 200);
    const recorded = (await connectionEvents(gateway, 'pay', 'http.request')).at(-1)!;
    const body = recorded.payload?.body as { text?: string; binary?: boolean };
    assert.equal(body.binary, undefined, `${type}: recorded by hash only`);
    assert.match(
      String(body.text),
      new RegExp(`"amount":${1_000_000 + i},"to":"acct_attacker"`),
      String(type),
    );
    assert.ok(
      !JSON.stringify(recorded.payload).includes(CALLER_KEY),
      `${type}: the key was recorded in clear`,
    );
  }
  assert.equal(ran.length, types.length);
});

test('a reviewer sees the payment an unlabelled body asks for before approving it', async () => {
  const { hostname, port } = new URL(gateway.url);
  const held = fetch(`http://${hostname}:${port}/c/pay/v1/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/octet-stream' },
    body: payment(9),
  });
  let pending: { id: string }[] = [];
  for (let i = 0; i < 200 && pending.length === 0; i++) {
    pending = await gateway.store.approvals.listApprovals({ status: 'pending' });
    if (pending.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(pending.length, 1, 'held for review');
  const requested = (await connectionEvents(gateway, 'pay', 'approval.requested')).at(-1)!;
  const action = requested.payload?.action as { body?: { text?: string } };
  assert.match(String(action.body?.text), /"amount":1000009,"to":"acct_attacker"/);
  const denied = await fetch(`${gateway.url}/api/approvals/${pending[0]!.id}/deny`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'not to that account' }),
  });
  assert.equal(denied.status, 200);
  assert.equal((await held).status, 403);
  assert.equal(ran.length, 3, 'the denied payment never ran');
});

test('a binary body is still recorded by its hash, and the ledger verifies', async () => {
  const res = await sendThrough(
    gateway.url,
    'pay',
    'PUT',
    '/v1/files/a',
    { 'content-type': 'image/png' },
    '\u0000PNG\u0001',
  );
  assert.equal(res.status, 400, 'the upstream could not parse it');
  const recorded = (await connectionEvents(gateway, 'pay', 'http.request')).at(-1)!;
  assert.equal((recorded.payload?.body as { binary?: boolean } | undefined)?.binary, true);
  await assertLedgerVerifies(gateway);
});
