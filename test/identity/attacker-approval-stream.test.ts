// Attacker: a reviewer who is offboarded keeps the web console's approvals stream open. The stream
// pushes every new pending request its caller may see (the held statement or prompt, who asked, the
// reason), so an open stream is a standing read of other people's held actions. Offboarding (an
// admin's disable, a revoked token, SCIM taking the approver group away) must end what it shows,
// not leave it running until the token expires (a token from vigil.yaml never does).
// Real parts: the gateway and its admin API over HTTP, SCIM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['group:ai-eng'] },
    ],
    approvals: { access_requests: { approvers: ['group:security'] } },
  });
});

after(() => gateway?.close());

/** An open approvals stream: every `approvals` event's data as it arrives, and whether it ended. */
function openStream(token: string) {
  const controller = new AbortController();
  const lists: string[] = [];
  let ended = false;
  const done = (async () => {
    const res = await fetch(`${gateway.url}/api/approvals/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const decoder = new TextDecoder();
    let buffered = '';
    const reader = res.body!.getReader();
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        buffered += decoder.decode(read.value, { stream: true });
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (block.startsWith('event: approvals') && data) lists.push(data[1]!);
        }
      }
    } catch {
      // aborted by the test
    }
    ended = true;
  })();
  return {
    lists,
    ended: () => ended,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

async function requestAccess(token: string, reason: string): Promise<string> {
  const res = await fetch(`${gateway.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'oa', duration: '1h', reason }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { approval: { id: string } }).approval.id;
}

async function admin(method: string, path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  assert.equal(res.status, 200, await res.text());
}

test("a disabled reviewer's open stream stops showing other people's pending requests", async () => {
  const stream = openStream(TOKENS.audrey);
  const first = await requestAccess(TOKENS.bob, 'before the offboarding');
  for (let i = 0; i < 100 && !stream.lists.some((l) => l.includes(first)); i++) await sleep(20);
  assert.ok(
    stream.lists.some((l) => l.includes(first)),
    'a reviewer sees the requests they may decide',
  );

  await admin('POST', '/api/users/audrey/disable', { reason: 'left the company' });
  const secret = await requestAccess(TOKENS.bob, 'after the offboarding: the new payroll export');
  await sleep(2500);
  const leaked = stream.lists.some((l) => l.includes(secret));
  const ended = stream.ended();
  await stream.close();
  await admin('POST', '/api/users/audrey/enable');
  assert.equal(leaked, false, 'a request made after the disable reached the disabled reviewer');
  assert.equal(ended, true, "the disabled reviewer's stream is still open");
});

test('a reviewer taken out of the approver group over SCIM stops seeing its requests', async () => {
  const scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
  const viv = await scim.createUser('viv@example.com');
  const group = await scim.createGroup('security', [viv]);
  const { token } = await gateway.vigilTokens.issue({
    subject: 'viv@example.com',
    groups: ['security'],
    roles: ['user'],
    ttlMs: 3_600_000,
  });
  const stream = openStream(token);
  const first = await requestAccess(TOKENS.bob, 'while viv reviews');
  for (let i = 0; i < 100 && !stream.lists.some((l) => l.includes(first)); i++) await sleep(20);
  assert.ok(stream.lists.some((l) => l.includes(first)));

  // The provider moves viv out of the reviewers' group.
  await scim.removeMember(group, viv);
  const later = await requestAccess(TOKENS.bob, 'after viv left the group');
  await sleep(2500);
  const leaked = stream.lists.some((l) => l.includes(later));
  await stream.close();
  assert.equal(leaked, false, 'a request viv may no longer decide reached her stream');
});
