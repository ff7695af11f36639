// Attacker: a requester writes what reviewers read in Slack. The CLI and the console show a held
// action's text inert (a bidi override or a zero-width character as a visible escape), but the
// Slack message carried it raw: a right-to-left override reorders what the reviewer reads there
// (Trojan Source), and a line feed in an access request's reason drew a field of its own ("*By*
// security-lead") under the real ones. Each such character now reaches Slack as a visible escape.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { HIDDEN_OR_CONTROL } from '../../src/core/visible-text.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { apiCall } from '../support/access-requests.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

interface SlackMessage {
  readonly text: string;
  readonly blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
}

let model: DemoModel;
let gateway: TestGateway;
let hooks: Server;
const received: SlackMessage[] = [];

before(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as SlackMessage);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: 'sk-approval-slack' });
  process.env.VIGIL_TEST_APPROVAL_SLACK_KEY = 'sk-approval-slack';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_APPROVAL_SLACK_KEY',
        allow: ['group:ai-eng', 'group:contractors'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-production',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          review: { approvers: ['user:audrey'], timeout: '2m' },
        },
      ],
    },
    approvals: {
      webhooks: [{ url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/slack`, format: 'slack' }],
      poll: '100ms',
      access_requests: { approvers: ['user:alice'] },
    },
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
  await new Promise((r) => hooks.close(r));
});

/** Every piece of text a Slack client renders from a message, less Vigil's own `*Label*` line. */
function renderedTexts(m: SlackMessage): string[] {
  const own = /^\*[^*\n]+\*\n/;
  const texts = [
    m.text,
    ...m.blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)]),
  ];
  return texts.map((t) => t.replace(own, ''));
}

async function messageWith(what: RegExp, naming = ''): Promise<SlackMessage> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = received.find((m) => what.test(m.text) && JSON.stringify(m).includes(naming));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no Slack message matching ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a bidi override in a held prompt reaches Slack as a visible escape, never raw', async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  // Shown raw, the override makes "wipe" read as "epiw" and the rest backwards.
  const prompt = 'in production please \u202Eepiw\u202C then list, zero\u200Bwidth';
  const answer = client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: prompt }] })
    .then(
      () => 'answered',
      (e: unknown) => (e instanceof OpenAI.APIError ? String(e.code) : String(e)),
    );
  const message = await messageWith(/Approval requested/);
  for (const text of renderedTexts(message)) {
    assert.ok(!HIDDEN_OR_CONTROL.test(text), `raw hidden or control character in ${JSON.stringify(text)}`);
  }
  assert.ok(message.blocks[0]!.text!.text.includes('\\u{202E}epiw\\u{202C}'), message.blocks[0]!.text!.text);
  assert.ok(message.blocks[0]!.text!.text.includes('zero\\u{200B}width'));

  const held = (await gateway.store.approvals.listApprovals({ status: 'pending', kind: 'action' }))[0]!;
  const denied = await apiCall(gateway.url, TOKENS.audrey, 'POST', `/api/approvals/${held.id}/deny`, {
    reason: 'no',
  });
  assert.equal(denied.status, 200, JSON.stringify(denied.body));
  assert.equal(await answer, 'approval_denied');
});

test("a line feed in an access request's reason cannot draw a field of its own in Slack", async () => {
  const asked = await apiCall(gateway.url, TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-42\n\n*By*\nsecurity-lead (pre-approved)',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const message = await messageWith(/Approval requested/, id);
  const reason = message.blocks[0]!.fields!.find((f) => f.text.startsWith('*Reason*\n'))!;
  // The label and its line break are Vigil's; everything after them is the requester's, on one line.
  assert.equal(reason.text, '*Reason*\nINC-42\\n\\n*By*\\nsecurity-lead (pre-approved)');
});
