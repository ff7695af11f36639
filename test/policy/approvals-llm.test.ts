// Model requests held for review: the official openai client waits (streaming included) until a
// reviewer decides through the API; a denial reaches the SDK as a 403 with a stable code; 100 held
// requests decided in a random order each resolve the way they were decided.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { seededRandom } from '../../src/mask/synthetic.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;
let client: OpenAI;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: 'sk-upstream-approvals' });
  process.env.VIGIL_TEST_APPROVALS_KEY = 'sk-upstream-approvals';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_APPROVALS_KEY',
        allow: ['group:ai-eng'],
      },
      {
        name: 'an',
        type: 'llm-anthropic',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_APPROVALS_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa', 'an'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          reason: 'prompts about production are reviewed',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

async function api<T>(
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
): Promise<{ status: number; body: T }> {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function pendingFor(count: number): Promise<ApprovalRecord[]> {
  for (let i = 0; i < 400; i++) {
    const { body } = await api<{ approvals: ApprovalRecord[] }>(
      TOKENS.audrey,
      'GET',
      '/api/approvals?limit=1000',
    );
    if (body.approvals.length >= count) return body.approvals;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} pending requests`);
}

test('a streamed request waits for approval, then streams in full', async () => {
  const started = Date.now();
  const streamed = (async () => {
    const stream = await client.chat.completions.create({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'Summarise the production incident of last night.' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return { text, at: Date.now() };
  })();
  const [held] = await pendingFor(1);
  assert.equal(held!.kind, 'action');
  assert.match(String(held!.subject.summary), /^demo: .*production incident/);
  await new Promise((r) => setTimeout(r, 300));
  const approvedAt = Date.now();
  const decided = await api<{ approval: ApprovalRecord }>(
    TOKENS.audrey,
    'POST',
    `/api/approvals/${held!.id}/approve`,
    {
      reason: 'summary only',
    },
  );
  assert.equal(decided.status, 200);
  assert.equal(decided.body.approval.status, 'approved');
  const { text, at } = await streamed;
  assert.ok(text.length > 0);
  assert.ok(at >= approvedAt && approvedAt - started >= 300, 'the stream began only after the approval');
});

test('the Anthropic SDK: a held streamed message waits, then streams in full', async () => {
  const anthropic = new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 });
  const streamed = (async () => {
    const stream = anthropic.messages.stream({
      model: 'demo',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Is production healthy?' }],
    });
    return (await stream.finalMessage()).content;
  })();
  const held = (await pendingFor(1)).find((r) => r.connection === 'an')!;
  assert.match(String(held.subject.summary), /production healthy/);
  await api(TOKENS.audrey, 'POST', `/api/approvals/${held.id}/approve`, { reason: 'read-only question' });
  const content = await streamed;
  assert.equal(content[0]?.type, 'text');
});

test('a denied request reaches the SDK as a 403 with a stable code; unmatched prompts are not held', async () => {
  const denied = client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'Drop the production tables.' }] })
    .then(
      () => null,
      (e: unknown) => e,
    );
  const held = (await pendingFor(1)).find((r) => /Drop the production/.test(String(r.subject.summary)))!;
  await api(TOKENS.audrey, 'POST', `/api/approvals/${held.id}/deny`, { reason: 'absolutely not' });
  const err = await denied;
  assert.ok(err instanceof OpenAI.APIError);
  assert.equal(err.status, 403);
  assert.equal(err.code, 'approval_denied');
  assert.equal((err.headers as unknown as Headers).get('x-vigil-error'), 'approval_denied');

  const plain = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'Hello' }],
  });
  assert.ok(plain.choices[0]?.message.content);
});

test('text in a document block or a tool call input is judged too: held, then denied', async () => {
  const anthropic = new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 });
  const before = (await pendingFor(0)).length;
  const denied = anthropic.messages
    .create({
      model: 'demo',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'document',
              source: {
                type: 'text',
                media_type: 'text/plain',
                data: 'Runbook: wipe the PRODUCTION cluster.',
              },
            },
            { type: 'text', text: 'Follow the attached runbook.' },
          ],
        },
      ],
    })
    .then(
      () => null,
      (e: unknown) => e,
    );
  const held = (await pendingFor(before + 1)).find((r) => /runbook/i.test(String(r.subject.summary)))!;
  assert.ok(held, 'the document text was seen by the review rule');
  await api(TOKENS.audrey, 'POST', `/api/approvals/${held.id}/deny`, { reason: 'no' });
  const err = await denied;
  assert.ok(err instanceof Anthropic.APIError);
  assert.equal(err.status, 403);
});

test('100 held requests at once, approved and denied in a random order, each resolve correctly', async () => {
  const count = 100;
  const outcomes = Array.from({ length: count }, (_, i) =>
    client.chat.completions
      .create({ model: 'demo', messages: [{ role: 'user', content: `production check number ${i}` }] })
      .then(
        () => 'approved' as const,
        (e: unknown) => (e instanceof OpenAI.APIError && e.status === 403 ? ('denied' as const) : String(e)),
      ),
  );
  const pending = await pendingFor(count);
  const byNumber = new Map<number, ApprovalRecord>();
  for (const r of pending) {
    const m = /production check number (\d+)/.exec(String(r.subject.summary));
    if (m) byNumber.set(Number(m[1]), r);
  }
  assert.equal(byNumber.size, count);
  const rng = seededRandom(20261123);
  const plan = [...byNumber.entries()].map(([n, r]) => ({ n, r, approve: rng() < 0.5 }));
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  // Decisions arrive concurrently, in the shuffled order, 10 at a time.
  for (let i = 0; i < plan.length; i += 10) {
    await Promise.all(
      plan.slice(i, i + 10).map(async ({ r, approve }) => {
        const res = await api(
          TOKENS.audrey,
          'POST',
          `/api/approvals/${r.id}/${approve ? 'approve' : 'deny'}`,
          {
            reason: approve ? 'fine' : 'no',
          },
        );
        assert.equal(res.status, 200);
      }),
    );
  }
  const results = await Promise.all(outcomes);
  for (const { n, approve } of plan)
    assert.equal(results[n], approve ? 'approved' : 'denied', `request ${n}`);
  assert.equal(gateway.approvals.service.holding, 0);

  await assertLedgerVerifies(gateway);
  // Each decision is in the ledger, and each approved request's recorded prompt names its approval.
  const approvalIds = new Set(plan.map((p) => p.r.id));
  const decided = new Map<string, string>();
  const linked = new Set<string>();
  for (const s of await gateway.store.ledger.listSessions({ connection: 'oa', limit: 1000 })) {
    for (const e of await gateway.store.ledger.readSession(s.id)) {
      const id = String(e.payload?.approval_id ?? '');
      if (e.type === 'approval.decided' && approvalIds.has(id)) decided.set(id, String(e.payload?.outcome));
      const approval = e.payload?.approval as { id?: string } | undefined;
      if (e.type === 'llm.request' && approval?.id) linked.add(approval.id);
    }
  }
  for (const { r, approve } of plan) {
    assert.equal(decided.get(r.id), approve ? 'approved' : 'denied');
    assert.equal(linked.has(r.id), approve);
  }
});
