// An attacker round on the model path, through the official openai client and the admin API of a real
// gateway: alice, an admin but no approver, holds a prompt for review and asks for access to a
// connection that requires a grant; the rules name a release bot as an approver. She mints a token
// for the bot (any admin may mint one for any name) and approves her own requests with it. And a key
// in a held prompt must reach the reviewers' webhook masked.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import {
  assertLedgerVerifies,
  startTestGateway,
  TEST_IDENTITIES,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';

const RELEASE_BOT = 'tok-release-bot-0123456789';
const KEY = 'sk-proj-Rq7XvN2mB7kL4pR9tW3yH6cJ1dF5gA0sT8uV';
let model: DemoModel;
let gateway: TestGateway;
let hooks: Server;
const received: string[] = [];
let minted: string;

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
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    identities: [
      ...TEST_IDENTITIES,
      {
        name: 'release-bot',
        kind: 'service',
        groups: [],
        roles: ['user'],
        token_sha256: hashToken(RELEASE_BOT),
      },
    ],
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] },
      {
        name: 'vault',
        type: 'llm-openai',
        upstream: model.url,
        allow: ['group:ai-eng'],
        requires_grant: true,
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          review: { approvers: ['group:security', 'service:release-bot'], timeout: '2m' },
        },
      ],
    },
    approvals: {
      poll: '100ms',
      webhooks: [{ url: hookUrl, format: 'json' }],
      access_requests: { approvers: ['group:security', 'service:release-bot'], max_duration: '2h' },
    },
  });
  const res = await api<{ token: string }>(TOKENS.alice, 'POST', '/api/tokens', {
    service_account: 'release-bot',
    connections: ['oa', 'vault'],
    ttl: '1h',
  });
  assert.equal(res.status, 201);
  minted = res.body.token;
});

after(async () => {
  await gateway?.close();
  await model?.close();
  await new Promise((r) => hooks?.close(r));
});

async function api<T>(token: string, method: 'GET' | 'POST', path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: (await res.json()) as T };
}

async function until<T>(probe: () => Promise<T | null | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function held(what: RegExp): Promise<ApprovalRecord> {
  return until(async () => {
    const list = await gateway.store.approvals.listApprovals({ status: 'pending' });
    return list.find((r) => what.test(String(r.subject.summary)));
  }, `a request matching ${what}`);
}

const openai = () => new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });

test('a minted release-bot token cannot release its minter’s held prompt; the model is never asked', async () => {
  const before = model.requests.length;
  const asked = openai()
    .chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Restart the production cluster now.' }],
    })
    .catch((e: unknown) => e);
  const request = await held(/Restart the production cluster/);
  const bot = await api(minted, 'POST', `/api/approvals/${request.id}/approve`, { reason: 'fine' });
  assert.equal(bot.status, 403, JSON.stringify(bot.body));
  assert.equal(bot.code, 'approval_not_reviewer');
  assert.equal((await gateway.store.approvals.getApproval(request.id))?.status, 'pending');
  const denied = await api(TOKENS.audrey, 'POST', `/api/approvals/${request.id}/deny`, { reason: 'no' });
  assert.equal(denied.status, 200);
  const err = await asked;
  assert.ok(err instanceof OpenAI.APIError && err.status === 403, String(err));
  assert.equal(model.requests.length, before, 'nothing reached the model');
});

test('a minted release-bot token cannot approve its minter’s access request into a grant', async () => {
  const asked = await api<{ approval: ApprovalRecord }>(TOKENS.alice, 'POST', '/api/access-requests', {
    connection: 'vault',
    duration: '1h',
    reason: 'need the vault model',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = asked.body.approval.id;
  const bot = await api(minted, 'POST', `/api/approvals/${id}/approve`, { reason: 'granted' });
  assert.equal(bot.code, 'approval_not_reviewer', JSON.stringify(bot.body));
  assert.deepEqual(await gateway.store.approvals.listGrants({ subject: 'alice' }), [], 'no grant was made');
  const vault = new OpenAI({ baseURL: `${gateway.url}/c/vault/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const refused = await vault.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'hello' }] })
    .catch((e: unknown) => e);
  assert.ok(refused instanceof OpenAI.APIError && refused.status === 403, String(refused));
  // The bot's own credential, from vigil.yaml, still decides.
  const configured = await api(RELEASE_BOT, 'POST', `/api/approvals/${id}/approve`, { reason: 'CI green' });
  assert.equal(configured.status, 200, JSON.stringify(configured.body));
  assert.equal((await gateway.store.approvals.listGrants({ subject: 'alice' })).length, 1);
});

test('a key in a held prompt reaches the webhook and the API masked', async () => {
  const asked = openai()
    .chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: `Rotate the production key ${KEY} please.` }],
    })
    .catch((e: unknown) => e);
  const request = await held(/Rotate the production key/);
  const hook = await until(
    async () => received.find((b) => b.includes(request.id) && b.includes('approval.requested')),
    'the webhook notice',
  );
  assert.ok(!hook.includes(KEY), hook);
  assert.match(hook, /MASKED/);
  const shown = await fetch(`${gateway.url}/api/approvals/${request.id}`, {
    headers: { authorization: `Bearer ${TOKENS.audrey}` },
  });
  assert.ok(!(await shown.text()).includes(KEY));
  await api(TOKENS.audrey, 'POST', `/api/approvals/${request.id}/deny`, { reason: `not ${KEY}` });
  await asked;
  const decided = await until(
    async () => received.find((b) => b.includes(request.id) && b.includes('approval.decided')),
    'the decision notice',
  );
  assert.ok(!decided.includes(KEY), decided);
});

test('the ledger verifies after the round', async () => {
  await assertLedgerVerifies(gateway);
});
