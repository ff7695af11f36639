// Two gateway replicas on one PostgreSQL store; alice's prompt is held on replica A (the official
// openai client waits there) under a rule that names a release bot as an approver. alice is an
// admin: on replica B she mints a token for the bot and approves her own prompt with it. And when
// she gives up waiting on A, an approval given on B afterwards finds the request closed. In neither
// case may the prompt reach the model.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { assertLedgerVerifies, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeReplicaPair, postApi, startReplicaPair } from '../support/replicas.js';

let model: DemoModel;
let a: TestGateway;
let b: TestGateway;
let client: OpenAI;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  ({ a, b } = await startReplicaPair({
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] }],
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
    approvals: { poll: '100ms' },
  }));
  client = new OpenAI({ baseURL: `${a.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});
after(async () => {
  await closeReplicaPair(a, b);
  await model?.close();
});

const seen = (marker: string) =>
  model.requests.filter((r) => JSON.stringify(r.body ?? r).includes(marker)).length;

async function heldOnA(prompt: string, signal?: AbortSignal) {
  const answer = client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: prompt }] }, signal ? { signal } : {})
    .then(
      () => ({ ok: true as const }),
      (err: { status?: number; headers?: Headers }) => ({
        ok: false as const,
        status: err.status,
        code: err.headers?.get('x-vigil-error'),
      }),
    );
  for (let i = 0; i < 200; i++) {
    const held = (await a.store.approvals.listApprovals({ status: 'pending' })).find((r) =>
      String(r.subject.summary).includes(prompt),
    );
    if (held && a.approvals.service.holding > 0) return { id: held.id, answer };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the prompt was not held');
}

test('a release-bot token alice minted on replica B cannot approve her prompt held on A', async () => {
  const minted = await postApi(b, TOKENS.alice, '/api/tokens', {
    service_account: 'release-bot',
    connections: ['oa'],
    ttl: '1h',
  });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const { id, answer } = await heldOnA('production deploy 1');
  const bot = await postApi(b, minted.body.token, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(bot.code, 'approval_not_reviewer', JSON.stringify(bot.body));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seen('production deploy 1'), 0);
  assert.equal((await a.store.approvals.getApproval(id))?.status, 'pending');
  const denied = await postApi(b, TOKENS.audrey, `/api/approvals/${id}/deny`, { reason: 'no' });
  assert.equal(denied.status, 200);
  const result = await answer;
  assert.deepEqual(result.ok ? null : [result.status, result.code], [403, 'approval_denied']);
  assert.equal(seen('production deploy 1'), 0);
});

test('alice leaves replica A while held: an approval on B afterwards is refused, nothing runs', async () => {
  const gone = new AbortController();
  const { id, answer } = await heldOnA('production deploy 2', gone.signal);
  gone.abort();
  await answer;
  for (let i = 0; i < 200 && (await b.store.approvals.getApproval(id))?.status === 'pending'; i++)
    await new Promise((r) => setTimeout(r, 25));
  assert.equal((await b.store.approvals.getApproval(id))?.status, 'withdrawn');
  const late = await postApi(b, TOKENS.audrey, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(late.code, 'approval_closed', JSON.stringify(late.body));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seen('production deploy 2'), 0);
  assert.equal(a.approvals.service.holding, 0);
});

test('the shared ledger verifies', async () => {
  await assertLedgerVerifies(a);
});
