// A statement a model proposed, then run through Vigil and held for review: the approval request
// names the model turn that proposed it, so the reviewer sees the reasoning behind the action.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';

const PROPOSAL = 'UPDATE accounts SET balance = 0 WHERE id = 1;';
let server: TestPostgres;
let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  server = await startTestPostgres();
  const url = await createScratchDatabase(server, 'vigil_proposer');
  const direct = new pg.Client({
    connectionString: withPassword(url, server.password),
  });
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 10)',
  );
  await direct.end();
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  const script = join(mkdtempSync(join(tmpdir(), 'vigil-proposer-')), 'script.yaml');
  writeFileSync(
    script,
    JSON.stringify({
      rules: [
        {
          match: { last_user: 'fix the balance' },
          reply: { text: `Run this:\n\n\`\`\`sql\n${PROPOSAL}\n\`\`\`` },
        },
      ],
    }),
  );
  model = await startDemoModel({ host: '127.0.0.1', port: 0, script });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] },
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: url,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['*'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-updates',
          match: { events: ['db.query'], statement_kinds: ['UPDATE'] },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '60s' },
        },
      ],
    },
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
  await server?.close();
});

test('the approval request names the model turn that proposed the held statement', async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const reply = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'Please fix the balance of account 1' }],
  });
  assert.match(reply.choices[0]!.message.content ?? '', /UPDATE accounts/);

  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  const i = address.lastIndexOf(':');
  const db = new pg.Client({
    host: address.slice(0, i),
    port: Number(address.slice(i + 1)),
    user: 'alice',
    database: 'vigil',
    password: TOKENS.alice,
  });
  await db.connect();
  const running = db.query(PROPOSAL);
  let held = null;
  for (let n = 0; n < 200 && !held; n++) {
    [held] = await gateway.store.approvals.listApprovals({ status: 'pending' });
    if (!held) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(held, 'the statement is held');
  const proposedBy = held.subject.proposed_by as Record<string, unknown>;
  const [modelSession] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.equal(proposedBy.session_id, modelSession!.id);
  assert.equal(proposedBy.evidence, 'code-block');
  const events = await gateway.store.ledger.readSession(modelSession!.id);
  const request = events.find((e) => e.type === 'llm.request');
  assert.equal(proposedBy.request_id, request?.payload?.requestId);

  const shown = await runCli([
    'approvals',
    'show',
    held.id,
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.audrey,
  ]);
  assert.match(shown.stdout, new RegExp(`proposed +by model turn .* in session ${modelSession!.id}`));
  await runCli([
    'approvals',
    'approve',
    held.id,
    '--reason',
    'the model was right',
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.audrey,
  ]);
  assert.equal((await running).rowCount, 1);
  await db.end();
});
