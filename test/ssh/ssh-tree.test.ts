// Reasoning to action across protocols: a model turn (the stand-in model behind Vigil's LLM
// connection) proposes a shell command as a tool call; the same identity runs it through Vigil's SSH
// connection to a real OpenSSH server; `vigil tree` of the model session and the tree API both show
// the ssh.exec linked to that turn. A command the model never proposed is not linked.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';
import { type SshFixture, startSshFixture } from './ssh-fixture.js';

const missing = sshdMissing();
let f: SshFixture;
let model: StubServer;
let proposed = '';

before(async () => {
  if (missing) return;
  model = await startWorkloadModel((request) => {
    if (lastUserText(request).includes('mark the box')) {
      return {
        content: null,
        toolCalls: [{ name: 'run_shell', arguments: JSON.stringify({ command: proposed }) }],
      };
    }
    return { content: 'Nothing to do.' };
  });
  f = await startSshFixture({
    connections: [
      { name: 'llm', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
  proposed = `touch ${join(f.work, 'model-proposed-marker')}`;
});
after(async () => {
  // Either may be missing when before() failed part-way; close what started.
  await f?.close();
  await model?.close();
});

test('a command a model turn proposed, run over SSH by the same identity, is linked to that turn in vigil tree', {
  skip: missing ?? false,
  timeout: 120_000,
}, async () => {
  const res = await fetch(`${f.gateway.url}/c/llm/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      'x-vigil-session': 'ssh-tree-probe',
    },
    body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'Please mark the box.' }] }),
  });
  assert.equal(res.status, 200);
  const reply = (await res.json()) as {
    choices: { message: { tool_calls: { function: { arguments: string } }[] } }[];
  };
  const { command } = JSON.parse(reply.choices[0]!.message.tool_calls[0]!.function.arguments) as {
    command: string;
  };
  assert.equal(command, proposed);

  const ran = await f.ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.ok(existsSync(join(f.work, 'model-proposed-marker')));
  // Not proposed by any turn: must not be linked.
  const other = await f.ssh('alice', ['alice@127.0.0.1', 'echo not-proposed']);
  assert.equal(other.code, 0, other.stderr);
  await f.gateway.recorder.drain();

  const llmSessions = await f.gateway.store.ledger.listSessions({ connection: 'llm' });
  assert.equal(llmSessions.length, 1);
  const sessionId = llmSessions[0]!.id;
  const llmEvents = await f.gateway.store.ledger.readSession(sessionId);
  const requestId = llmEvents.find((e) => e.type === 'llm.request')?.payload?.requestId;
  assert.equal(typeof requestId, 'string');
  const exec = (await f.events({ identity: 'alice' })).find(
    (e) => e.type === 'ssh.exec' && e.payload?.command === proposed,
  );
  assert.ok(exec);

  const cli = await runCli(['--data', f.dataDir, 'tree', sessionId, '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const fromCli = JSON.parse(cli.stdout) as {
    actions: {
      actionType: string;
      action: string;
      nodeId: string;
      actionSessionId: string;
      evidence: string;
    }[];
  };
  const link = fromCli.actions.find((a) => a.actionType === 'ssh.exec' && a.action === proposed);
  assert.ok(link, `the ssh.exec is linked: ${JSON.stringify(fromCli.actions)}`);
  assert.equal(link.nodeId, `${String(requestId)}:0`);
  assert.equal(link.actionSessionId, exec.sessionId);
  assert.equal(link.evidence, 'tool-call');
  assert.ok(!fromCli.actions.some((a) => a.action.includes('not-proposed')));

  const text = await runCli(['--data', f.dataDir, 'tree', sessionId]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`action ssh\\.exec #${exec.seq} touch .*model-proposed-marker <- `));

  const api = await fetch(`${f.gateway.url}/api/sessions/${sessionId}/tree`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(api.status, 200);
  const fromApi = (await api.json()) as { actions: { actionType: string; action: string; nodeId: string }[] };
  const apiLink = fromApi.actions.find((a) => a.actionType === 'ssh.exec' && a.action === proposed);
  assert.equal(apiLink?.nodeId, link.nodeId);
});
