// The reasoning workloads through the real gateway: the official openai client talks to Vigil, the
// tree is rebuilt from what Vigil recorded, and a statement a model turn proposed, then run through
// Vigil's PostgreSQL connection, is linked back to that turn.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import { buildReasoningTree, outcomePath } from '../../src/reasoning/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';
import { compareTrees } from '../workloads/compare.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

const PROPOSAL = 'DELETE FROM vigil_link_probe WHERE id = 2';
let model: StubServer;
let postgres: TestPostgres;
let gateway: TestGateway;
let sample = 0;

before(async () => {
  model = await startWorkloadModel((request, choice) => {
    const prompt = lastUserText(request);
    if (prompt.includes('clean up the probe table')) {
      return { content: `Run this:\n\`\`\`sql\n${PROPOSAL};\n\`\`\`` };
    }
    return { content: game24Reply(prompt, choice * 1000 + sample++) };
  });
  postgres = await startTestPostgres();
  process.env.VIGIL_TEST_PG_PASSWORD = postgres.password ?? 'unused';
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
      {
        name: 'db',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: postgres.url,
        credential: 'env:VIGIL_TEST_PG_PASSWORD',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
  await postgres?.close();
});

async function sessionEvents(externalId: string) {
  const sessions = await gateway.store.ledger.listSessions({
    connection: 'oa',
    search: externalId,
    limit: 1000,
  });
  for (const s of sessions) {
    const events = await gateway.store.ledger.readSession(s.id);
    if (events[0]?.payload?.external_session === externalId) return { id: s.id, events };
  }
  throw new Error(`no session ${externalId}`);
}

test('Game of 24 through Vigil, no hints: the rebuilt tree matches the run', {
  timeout: 120_000,
}, async () => {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'g24-through-vigil' },
  });
  const { log } = await solveGame24(client, '4 5 6 10', { hints: false });
  const { events } = await sessionEvents('g24-through-vigil');
  const tree = buildReasoningTree(events);
  const cmp = compareTrees(tree, log, events);
  assert.ok(cmp.precision >= 0.95, `precision ${cmp.precision}`);
  assert.ok(cmp.recall >= 0.9, `recall ${cmp.recall}`);
  assert.deepEqual(cmp.evaluationMismatches, []);
  assert.deepEqual(cmp.statusMismatches, []);
  assert.equal(cmp.finalNode, log.final?.node);
  assert.deepEqual(
    outcomePath(tree).steps.map((s) => cmp.toOrdinal(s.nodeId)),
    log.outcomePath,
  );
});

test('a statement a model proposed and then ran through Vigil is linked to that model turn', {
  timeout: 60_000,
}, async () => {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'link-probe' },
  });
  const answer = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: 'Please clean up the probe table.' }],
  });
  const proposed = /```sql\n([^`]+)```/.exec(answer.choices[0]!.message.content ?? '')![1]!.trim();

  const listener = gateway.listeners.find((l) => l.connection === 'db')!;
  const [host, port] = listener.address.split(':');
  const db = new pg.Client({
    host,
    port: Number(port),
    user: 'alice',
    database: 'postgres',
    password: TOKENS.alice,
  });
  await db.connect();
  try {
    await db.query('CREATE TEMP TABLE vigil_link_probe (id int)');
    await db.query('INSERT INTO vigil_link_probe VALUES (1), (2)');
    await db.query(proposed);
  } finally {
    await db.end();
  }

  const { id } = await sessionEvents('link-probe');
  const res = await fetch(`${gateway.url}/api/sessions/${id}/tree`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { actions: { action: string; nodeId: string; actionType: string }[] };
  const link = body.actions.find((a) => a.action.includes('vigil_link_probe WHERE id = 2'));
  assert.ok(link, `the DELETE is linked: ${JSON.stringify(body.actions)}`);
  assert.equal(link.actionType, 'db.query');
  const requestId = answer.id
    ? (await sessionEvents('link-probe')).events.find((e) => e.type === 'llm.request')?.payload?.requestId
    : null;
  assert.equal(link.nodeId, `${String(requestId)}:0`, 'linked to choice 0 of the request that proposed it');
});
