// A requester who controls what is recorded (their prompt, the model's reply they provoke, even
// their identity name) tries to take over the reviewer's terminal: clear the screen, retitle the
// window, plant a hyperlink, reorder text with bidi overrides, hide words with zero-width
// characters. Every human-readable view must show those bytes as inert escapes, while --json keeps
// them exactly as recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type DemoModel, scriptResponder, startDemoModel } from '../../src/demo-model/index.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { type CliRun, runCli } from '../support/cli.js';
import { startTestGateway, TEST_IDENTITIES, type TestGateway, TOKENS } from '../support/gateway.js';
import { firstUnsafe } from './terminal-unsafe.js';

const MALLORY_TOKEN = 'tok-mallory-0123456789';
/** The name an identity provider might hand over for a hostile user. */
const MALLORY = 'mal\x1b]0;pwned\x07\u202elory';

const PROMPT = [
  'production \x1b[2J\x1b[H clear',
  ' \x1b]0;owned\x07 title',
  ' \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  ' \u202eevil\u202c \u2066iso\u2069 zero\u200bwidth\ufeff bell\x07 csi\x9b2J del\x7f',
  '\u2028line\nsecond line\r\x1b[1Aup',
].join('');

const REPLY = 'sure \x1b[31mred\x1b[0m \u202egnitirw\u202c hidden\u200d\u2060 \x1b]0;model\x07\nnext';
const REASON = 'ok \x1b[2J after a look';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    apiKey: 'sk-upstream-inert',
    respond: scriptResponder({ rules: [{ reply: { text: REPLY } }] }),
  });
  process.env.VIGIL_TEST_INERT_KEY = 'sk-upstream-inert';
  gateway = await startTestGateway({
    identities: [
      ...TEST_IDENTITIES,
      { name: MALLORY, groups: ['ai-eng'], roles: ['user'], token_sha256: hashToken(MALLORY_TOKEN) },
    ],
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_INERT_KEY',
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
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

const api = (...args: string[]): Promise<CliRun> =>
  runCli([...args, '--gateway', gateway.url, '--token', TOKENS.audrey]);
const offline = (...args: string[]): Promise<CliRun> => runCli(['--data', gateway.dataDir, ...args]);

/** A human-readable view: it ran, and nothing in it can act on the terminal. */
function assertInert(run: CliRun, view: string): string {
  assert.equal(run.code, 0, `${view}: ${run.stderr}`);
  assert.equal(firstUnsafe(run.stdout), null, `${view} printed ${firstUnsafe(run.stdout)}`);
  assert.equal(firstUnsafe(run.stderr), null, `${view} (stderr) printed ${firstUnsafe(run.stderr)}`);
  return run.stdout;
}

async function pendingApproval(): Promise<ApprovalRecord> {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${gateway.url}/api/approvals`, {
      headers: { authorization: `Bearer ${TOKENS.audrey}` },
    });
    const { approvals } = (await res.json()) as { approvals: ApprovalRecord[] };
    if (approvals.length > 0) return approvals[0]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the prompt was never held for approval');
}

test('escapes, bidi and zero-width characters are inert in every view; --json keeps them exactly', {
  timeout: 120_000,
}, async () => {
  const call = fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MALLORY_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: PROMPT }] }),
  });
  const held = await pendingApproval();

  const list = assertInert(await api('approvals', 'list'), 'approvals list');
  assert.match(list, new RegExp(held.id));
  assert.ok(list.includes('mal\\u{1B}]0;pwned\\u{7}\\u{202E}lory'), list);
  assert.ok(list.includes('production \\u{1B}[2J\\u{1B}[H clear'), list);

  const shown = assertInert(await api('approvals', 'show', held.id), 'approvals show');
  assert.ok(shown.includes('requester  mal\\u{1B}]0;pwned\\u{7}\\u{202E}lory\n'), shown);
  for (const escaped of [
    '\\u{1B}]8;;https://evil.example/\\u{1B}\\\\click',
    '\\u{202E}evil\\u{202C}',
    'zero\\u{200B}width',
    'csi\\u{9B}2J del\\u{7F}',
  ])
    assert.ok(shown.includes(escaped), `approvals show lacks ${escaped}:\n${shown}`);
  const exact = JSON.parse((await api('approvals', 'show', held.id, '--json')).stdout) as ApprovalRecord;
  assert.equal(exact.requester.subject, MALLORY);
  assert.ok(String(exact.subject.summary).includes('\x1b[2J\x1b[H clear \x1b]0;owned\x07'), 'JSON is exact');

  const decided = assertInert(
    await api('approvals', 'approve', '--yes', held.id, '--reason', REASON),
    'approve',
  );
  assert.match(decided, /now approved/);
  const answered = await call;
  assert.equal(answered.status, 200);
  const providerId = ((await answered.json()) as { id: string }).id;
  await gateway.recorder.drain();

  const replay = assertInert(await offline('replay', held.sessionId), 'replay');
  for (const escaped of [
    'mal\\u{1B}]0;pwned\\u{7}\\u{202E}lory',
    'user: production \\u{1B}[2J',
    '\\u{2028}line\n',
    'second line\\r\\u{1B}[1Aup',
    'sure \\u{1B}[31mred\\u{1B}[0m \\u{202E}gnitirw\\u{202C} hidden\\u{200D}\\u{2060}',
    `(approved, 1/1): ok \\u{1B}[2J after a look`,
  ])
    assert.ok(replay.includes(escaped), `replay lacks ${escaped}:\n${replay}`);
  // The response line names the call as the provider knows it.
  assert.match(replay, new RegExp(`response 200 \\([^)]*, ${providerId}, req_[0-9a-f]{32}\\)`), replay);
  // Recorded text is always indented: only Vigil's own event lines start at the margin.
  for (const line of replay.trimEnd().split('\n'))
    assert.match(line, /^(\+ *\d+\.\d{3}s {2}#\d+ |\s)/, `a recorded line passes for an event: ${line}`);

  const events = (
    JSON.parse((await offline('replay', held.sessionId, '--json')).stdout) as {
      events: { type: string; identity: { subject: string }; payload: Record<string, unknown> }[];
    }
  ).events;
  const request = events.find((e) => e.type === 'llm.request')!;
  assert.equal(request.identity.subject, MALLORY);
  assert.deepEqual((request.payload.body as { messages: unknown[] }).messages, [
    { role: 'user', content: PROMPT },
  ]);
  const response = events.find((e) => e.type === 'llm.response')!;
  assert.equal((response.payload.choices as { text: string }[])[0]!.text, REPLY);
  assert.equal(events.find((e) => e.type === 'approval.decided')!.payload.reason, REASON);

  const sessions = assertInert(await offline('sessions'), 'sessions');
  assert.ok(sessions.includes(`${held.sessionId}  mal\\u{1B}]0;pwned\\u{7}\\u{202E}lory`), sessions);
  const listed = JSON.parse((await offline('sessions', '--json')).stdout) as {
    id: string;
    identity: { subject: string };
  }[];
  assert.equal(listed.find((s) => s.id === held.sessionId)?.identity.subject, MALLORY);

  const tree = assertInert(await offline('tree', held.sessionId), 'tree');
  assert.ok(tree.includes('\\u{1B}[31mred'), tree);
  assertInert(await offline('tree', held.sessionId, '--path'), 'tree --path');
});
