// A reason is what a reviewer reads and what the ledger keeps to explain a decision. One that shows
// nothing (a zero-width space, a bidi mark, a Hangul filler, whitespace and controls) is refused
// with reason_required everywhere a reason is taken, and refusing it changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord, GrantRecord } from '../../src/core/ports.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const INVISIBLE_REASONS = [
  '\u200b',
  ' \t\n\u200b\u200c\u200d\u2060\ufeff ',
  '\u202e\u2066\u2069\u061c',
  '\x1b\x07\x7f\x9b',
  '\u3164\u115f\uffa0\u2800',
  '\u{e0041}\u{e0042}\ufe0f\u00ad',
  '\u2028\u2029\u3000\u00a0',
];

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: 'sk-upstream-reasons' });
  process.env.VIGIL_TEST_REASONS_KEY = 'sk-upstream-reasons';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_REASONS_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          reason: 'prompts about production are reviewed',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
    approvals: {
      access_requests: { approvers: ['group:security'], max_duration: '2h' },
      break_glass: { allowed: ['group:security'], reviewers: ['group:ai-eng'] },
    },
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

async function post(
  token: string,
  path: string,
  body: object,
): Promise<{ status: number; code: string | null }> {
  const res = await fetch(gateway.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed = (await res.json()) as { error?: { code?: string } };
  assert.equal(parsed.error?.code ?? null, res.headers.get('x-vigil-error'));
  return { status: res.status, code: res.headers.get('x-vigil-error') };
}

async function get<T>(token: string, path: string): Promise<T> {
  const res = await fetch(gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as T;
}

async function approvalsOfKind(kind: string): Promise<ApprovalRecord[]> {
  const { approvals } = await get<{ approvals: ApprovalRecord[] }>(
    TOKENS.audrey,
    `/api/approvals?status=all&kind=${kind}`,
  );
  return approvals;
}

test('a decision whose reason shows nothing is refused and not counted; a real reason decides', {
  timeout: 60_000,
}, async () => {
  const call = fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'restart production' }] }),
  });
  let held: ApprovalRecord | undefined;
  for (let i = 0; i < 200 && !held; i++) {
    [held] = await approvalsOfKind('action');
    if (!held) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(held, 'the prompt is held');

  for (const reason of INVISIBLE_REASONS) {
    for (const decision of ['approve', 'deny']) {
      const refused = await post(TOKENS.audrey, `/api/approvals/${held.id}/${decision}`, { reason });
      assert.deepEqual(refused, { status: 400, code: 'reason_required' }, JSON.stringify(reason));
    }
  }
  const viaCli = await runCli([
    'approvals',
    'approve',
    '--yes',
    held.id,
    '--reason',
    '\u200b',
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.audrey,
  ]);
  assert.notEqual(viaCli.code, 0);
  assert.match(viaCli.stderr, /\[reason_required\]/);

  const still = await get<{ approval: ApprovalRecord }>(TOKENS.audrey, `/api/approvals/${held.id}`);
  assert.equal(still.approval.status, 'pending');
  assert.deepEqual(still.approval.votes, [], 'no refused decision was counted');

  const approved = await post(TOKENS.audrey, `/api/approvals/${held.id}/approve`, {
    reason: '\u200bticket 12',
  });
  assert.deepEqual(approved, { status: 200, code: null });
  assert.equal((await call).status, 200);
});

test('an access request or break-glass whose reason shows nothing is refused and creates nothing', async () => {
  for (const reason of INVISIBLE_REASONS) {
    const request = await post(TOKENS.bob, '/api/access-requests', {
      connection: 'oa',
      duration: '1h',
      reason,
    });
    assert.deepEqual(request, { status: 400, code: 'reason_required' }, JSON.stringify(reason));
    const glass = await post(TOKENS.audrey, '/api/break-glass', {
      connection: 'oa',
      duration: '30m',
      reason,
    });
    assert.deepEqual(glass, { status: 400, code: 'reason_required' }, JSON.stringify(reason));
  }
  assert.deepEqual(await approvalsOfKind('access'), []);
  assert.deepEqual(await approvalsOfKind('break-glass'), []);
  const { grants } = await get<{ grants: GrantRecord[] }>(TOKENS.audrey, '/api/grants?all=1');
  assert.deepEqual(grants, [], 'no break-glass grant was issued');

  assert.deepEqual(
    await post(TOKENS.bob, '/api/access-requests', {
      connection: 'oa',
      duration: '1h',
      reason: 'debug ticket 7',
    }),
    { status: 201, code: null },
  );
  assert.deepEqual(
    await post(TOKENS.audrey, '/api/break-glass', {
      connection: 'oa',
      duration: '30m',
      reason: 'incident 9',
    }),
    { status: 201, code: null },
  );
  assert.equal((await approvalsOfKind('access')).length, 1);
  assert.equal((await approvalsOfKind('break-glass')).length, 1);
});

test('disabling an identity: no reason takes the default, an invisible one is refused', async () => {
  const refused = await post(TOKENS.alice, '/api/users/nobody/disable', { reason: '\u200b' });
  assert.deepEqual(refused, { status: 400, code: 'reason_required' });
  const { disabled } = await get<{ disabled: { subject: string }[] }>(TOKENS.alice, '/api/users/disabled');
  assert.equal(
    disabled.some((d) => d.subject === 'nobody'),
    false,
  );
  assert.deepEqual(await post(TOKENS.alice, '/api/users/nobody/disable', {}), { status: 200, code: null });
});
