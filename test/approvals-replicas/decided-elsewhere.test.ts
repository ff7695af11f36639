// Two gateway replicas on one PostgreSQL store: a model request held for review on replica A (the
// official openai client waits there), decided by reviewers on replica B. A learns each decision
// from the store (its notice, or the approvals poll): an approval lets the request through exactly
// once, a denial or a withdrawal refuses it and the model never sees it, and A holds nothing
// afterwards. All three held before 7 December (the withdrawal through B's own check of the
// shared store at each vote); they keep that so now that the store checks it too (ApprovalStore.addVote).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { assertLedgerVerifies, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeReplicaPair, postApi, startReplicaPair } from '../support/replicas.js';

let model: DemoModel;
let a: TestGateway;
let b: TestGateway;
let client: OpenAI;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  const settings = {
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] }],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          reason: 'prompts about production are reviewed',
          // Two approvals: audrey's and bob's.
          review: { approvers: ['group:security', 'user:bob'], required: 2, timeout: '2m' },
        },
      ],
    },
  };
  ({ a, b } = await startReplicaPair(settings));
  client = new OpenAI({ baseURL: `${a.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});
after(async () => {
  await closeReplicaPair(a, b);
  await model?.close();
});

/** Sends a prompt through replica A and waits until it is held; returns the request's id and the answer to come. */
async function heldOnA(prompt: string) {
  const before = new Set((await a.store.approvals.listApprovals({ status: 'pending' })).map((r) => r.id));
  const answer = client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: prompt }] })
    .then(
      (completion) => ({ ok: true as const, completion }),
      (err: { status?: number; headers?: Headers }) => ({
        ok: false as const,
        status: err.status,
        code: err.headers?.get('x-vigil-error'),
      }),
    );
  for (let i = 0; i < 200; i++) {
    const held = (await a.store.approvals.listApprovals({ status: 'pending' })).find(
      (r) => !before.has(r.id),
    );
    if (held && a.approvals.service.holding > 0) return { id: held.id, answer };
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the prompt was not held');
}

const seen = (marker: string) =>
  model.requests.filter((r) => JSON.stringify(r.body ?? r).includes(marker)).length;

test('approved on replica B: the request held on A goes through exactly once', async () => {
  const { id, answer } = await heldOnA('production check 1');
  assert.equal(
    (await postApi(b, TOKENS.audrey, `/api/approvals/${id}/approve`, { reason: 'ok' })).status,
    200,
  );
  assert.equal(seen('production check 1'), 0, 'one approval of two releases nothing');
  const second = await postApi(b, TOKENS.bob, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const result = await answer;
  assert.equal(result.ok, true, JSON.stringify(result));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(seen('production check 1'), 1);
  assert.equal(a.approvals.service.holding, 0);
});

test('denied on replica B: the request held on A is refused and never reaches the model', async () => {
  const { id, answer } = await heldOnA('production check 2');
  const denied = await postApi(b, TOKENS.audrey, `/api/approvals/${id}/deny`, { reason: 'no ticket' });
  assert.equal(denied.status, 200, JSON.stringify(denied.body));
  const result = await answer;
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? null : [result.status, result.code], [403, 'approval_denied']);
  assert.equal(seen('production check 2'), 0);
  assert.equal(a.approvals.service.holding, 0);
  // A late approval on A finds it closed.
  const late = await postApi(a, TOKENS.bob, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(late.code, 'approval_closed');
});

test('withdrawn on replica B: the request held on A is refused and never reaches the model', async () => {
  const { id, answer } = await heldOnA('production check 3');
  assert.equal(
    (await postApi(b, TOKENS.audrey, `/api/approvals/${id}/approve`, { reason: 'ok' })).status,
    200,
  );
  // audrey is disabled in the shared store, and no replica has read it yet (the access version is
  // left as it was): B's store refuses to count bob's approval on hers and withdraws the request.
  const store = new pg.Client({ connectionString: a.postgresStore!.url });
  await store.connect();
  const table = `"${a.postgresStore!.schema}".disabled_identities`;
  try {
    await store.query(`INSERT INTO ${table} (subject, disabled_at, reason) VALUES ($1, $2, $3)`, [
      'audrey',
      new Date().toISOString(),
      'left',
    ]);
    const second = await postApi(b, TOKENS.bob, `/api/approvals/${id}/approve`, { reason: 'ok' });
    assert.equal(second.code, 'approval_closed', JSON.stringify(second.body));
    const result = await answer;
    assert.equal(result.ok ? null : result.code, 'approval_withdrawn');
    assert.equal(seen('production check 3'), 0);
    assert.equal(a.approvals.service.holding, 0);
    assert.equal((await a.store.approvals.getApproval(id))?.status, 'withdrawn');
  } finally {
    await store.query(`DELETE FROM ${table}`);
    await store.end();
  }
  await assertLedgerVerifies(a);
});
