// OTLP/HTTP traces from a real gateway: a Tree-of-Thoughts run (the Game of 24 workload, the
// official openai client, the stand-in model) and a PostgreSQL session (pg against the real server)
// go through Vigil; an in-process OTLP receiver gets the spans when each session ends (idle, or the
// client closing). Checked: the GenAI and database attributes, the nesting along the reasoning tree,
// joining the client's W3C trace, a trace per session without one, and no content by default.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { buildReasoningTree } from '../../src/reasoning/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

const COLLECTOR_KEY = 'collector-key-0123456789abcdef';
let model: StubServer;
let postgres: TestPostgres;
let receiver: OtlpReceiver;
let gateway: TestGateway;
let sample = 0;

before(async () => {
  model = await startWorkloadModel((request, choice) => ({
    content: game24Reply(lastUserText(request), choice * 1000 + sample++),
  }));
  postgres = await startTestPostgres();
  receiver = await startOtlpReceiver();
  process.env.VIGIL_TEST_PG_PASSWORD = postgres.password ?? 'unused';
  process.env.VIGIL_TEST_OTLP_KEY = COLLECTOR_KEY;
  gateway = await startTestGateway({
    // Short, so that a finished run's session ends (and is exported) soon after its last call.
    sessions: { idle_timeout: '2s' },
    tracing: { otlp_endpoint: receiver.url, headers: { 'x-collector-key': 'env:VIGIL_TEST_OTLP_KEY' } },
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
  await receiver?.close();
  await model?.close();
  await postgres?.close();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function client(headers: Record<string, string>): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

/** The events of the session of connection `oa` whose first event satisfies `match`. */
async function findSession(match: (events: StoredEvent[]) => boolean): Promise<StoredEvent[]> {
  for (const s of await gateway.store.ledger.listSessions({ connection: 'oa', limit: 1000 })) {
    const events = await gateway.store.ledger.readSession(s.id);
    if (match(events)) return events;
  }
  throw new Error('no such session');
}

const sessionRoot = (sessionId: string) => (spans: readonly ReceivedSpan[]) =>
  spans.find((s) => s.name === 'vigil.session' && s.attributes['vigil.session.id'] === sessionId);

function spansOfTrace(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((s) => s.traceId === traceId);
}

test('a Tree-of-Thoughts run with a traceparent: GenAI spans in the client trace, nested as the reasoning tree', {
  timeout: 180_000,
}, async () => {
  const traceId = hex(16);
  const clientSpan = hex(8);
  await solveGame24(client({ traceparent: `00-${traceId}-${clientSpan}-01` }), '4 5 6 10', { hints: false });
  const events = await findSession((evs) =>
    evs.some(
      (e) =>
        e.type === 'llm.request' && (e.payload?.trace as { traceId?: string } | null)?.traceId === traceId,
    ),
  );
  const sessionId = events[0]!.sessionId;
  await receiver.waitFor((spans) => sessionRoot(sessionId)(spans) !== undefined);

  assert.ok(
    receiver.contentTypes.every((t) => t.startsWith('application/json')),
    receiver.contentTypes.join(),
  );
  assert.ok(
    receiver.headers.every((h) => h['x-collector-key'] === COLLECTOR_KEY),
    'the configured header is sent',
  );

  const requests = events.filter((e) => e.type === 'llm.request');
  const responses = new Map(
    events.filter((e) => e.type === 'llm.response').map((e) => [String(e.payload!.requestId), e]),
  );
  const spans = spansOfTrace(traceId);
  // Every span of the session carries the client's trace id: the root and one per model call.
  assert.equal(spans.length, 1 + requests.length);
  const root = sessionRoot(sessionId)(spans)!;
  assert.equal(root.parentSpanId, clientSpan, 'the session hangs off the client span');
  assert.equal(root.attributes['vigil.connection'], 'oa');
  assert.equal(root.attributes['vigil.protocol'], 'llm-openai');
  assert.equal(root.attributes['enduser.id'], 'alice');
  assert.equal(root.attributes['vigil.session.end_reason'], 'idle');
  assert.equal(root.resource['service.name'], 'vigil');

  const byRequest = new Map<string, ReceivedSpan>();
  for (const span of spans) {
    if (span === root) continue;
    byRequest.set(String(span.attributes['vigil.request_id']), span);
  }
  for (const request of requests) {
    const id = String(request.payload!.requestId);
    const span = byRequest.get(id);
    assert.ok(span, `a span for ${id}`);
    const body = request.payload!.body as { n: number };
    const response = responses.get(id)!;
    const usage = response.payload!.usage as { prompt_tokens: number; completion_tokens: number };
    assert.equal(span.name, 'chat gpt-4');
    assert.equal(span.kind, 3, 'CLIENT');
    assert.equal(span.attributes['gen_ai.system'], 'openai');
    assert.equal(span.attributes['gen_ai.provider.name'], 'openai');
    assert.equal(span.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(span.attributes['gen_ai.request.model'], 'gpt-4');
    assert.equal(
      span.attributes['gen_ai.response.model'],
      (response.payload!.body as { model: string }).model,
    );
    assert.equal(span.attributes['gen_ai.request.temperature'], 0.7);
    assert.equal(span.attributes['gen_ai.request.max_tokens'], 1000);
    assert.equal(span.attributes['gen_ai.request.choice.count'], body.n);
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], usage.prompt_tokens);
    assert.equal(span.attributes['gen_ai.usage.output_tokens'], usage.completion_tokens);
    assert.ok(usage.prompt_tokens > 0);
    assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], Array(body.n).fill('stop'));
    assert.equal(span.startMs, Date.parse(request.time));
    assert.equal(span.endMs, Date.parse(response.time));
    assert.equal(span.status, 0);
    // Content is off by default: no prompt or reply text anywhere.
    assert.equal(span.attributes['gen_ai.input.messages'], undefined);
    assert.equal(span.attributes['gen_ai.output.messages'], undefined);
  }

  // Parenthood equals the reasoning tree's edges, read call to call; calls without one hang off the root.
  const tree = buildReasoningTree(events);
  const requestOf = new Map(tree.nodes.map((n) => [n.id, n.requestId]));
  const treeEdges = new Set(tree.edges.map((e) => `${requestOf.get(e.from)}>${requestOf.get(e.to)}`));
  const childCounts = new Map<string, number>();
  for (const edge of treeEdges) {
    const child = edge.split('>')[1]!;
    childCounts.set(child, (childCounts.get(child) ?? 0) + 1);
  }
  assert.ok(treeEdges.size >= 10, `the run has a tree (${treeEdges.size} edges)`);
  assert.ok(
    [...childCounts.values()].every((c) => c === 1),
    'each call continues one call in this run',
  );
  const spanOf = new Map([...byRequest].map(([id, s]) => [s.spanId, id]));
  const spanEdges = new Set<string>();
  for (const [id, span] of byRequest) {
    if (span.parentSpanId === root.spanId) continue;
    const parent = spanOf.get(span.parentSpanId);
    assert.ok(parent, `${id}'s parent is a call of the session`);
    spanEdges.add(`${parent}>${id}`);
  }
  assert.deepEqual([...spanEdges].sort(), [...treeEdges].sort());
});

test('without a traceparent each session is its own trace, rooted at its session span', {
  timeout: 60_000,
}, async () => {
  for (const name of ['no-trace-a', 'no-trace-b']) {
    await client({ 'x-vigil-session': name }).chat.completions.create({
      model: 'gpt-4',
      messages: [{ role: 'user', content: 'Input: 1 2 3 4\nPossible next steps:' }],
    });
  }
  const ids = await Promise.all(
    ['no-trace-a', 'no-trace-b'].map(async (name) => {
      const events = await findSession((evs) => evs[0]?.payload?.external_session === name);
      return events[0]!.sessionId;
    }),
  );
  await receiver.waitFor((spans) => ids.every((id) => sessionRoot(id)(spans) !== undefined));
  const roots = ids.map((id) => sessionRoot(id)(receiver.spans)!);
  assert.notEqual(roots[0]!.traceId, roots[1]!.traceId);
  for (const root of roots) {
    assert.equal(root.parentSpanId, '');
    const calls = receiver.spans.filter((s) => s.traceId === root.traceId && s !== root);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.parentSpanId, root.spanId);
    assert.equal(calls[0]!.attributes['gen_ai.conversation.id'], root.attributes['vigil.session.id']);
  }
});

test('a PostgreSQL session through Vigil gives database spans; statement text stays out', {
  timeout: 60_000,
}, async () => {
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
    await db.query('CREATE TEMP TABLE trace_probe (id int, secret text)');
    await db.query("INSERT INTO trace_probe VALUES (1, 'value-one'), (2, 'value-two')");
    await db.query('SELECT id FROM trace_probe WHERE id > $1', [0]);
    await assert.rejects(db.query('SELECT * FROM trace_probe_missing'), { code: '42P01' });
  } finally {
    await db.end();
  }
  await receiver.waitFor((spans) =>
    spans.some((s) => s.name === 'vigil.session' && s.attributes['vigil.connection'] === 'db'),
  );
  const root = receiver.spans.find(
    (s) => s.name === 'vigil.session' && s.attributes['vigil.connection'] === 'db',
  )!;
  assert.equal(root.attributes['vigil.protocol'], 'postgres');
  const spans = receiver.spans.filter((s) => s.traceId === root.traceId && s !== root);
  for (const span of spans) {
    assert.equal(span.parentSpanId, root.spanId);
    assert.equal(span.kind, 3);
    assert.equal(span.attributes['db.system.name'], 'postgresql');
    assert.equal(span.attributes['db.query.text'], undefined, 'no statement text without content');
  }
  const named = (name: string) => spans.find((s) => s.name === name);
  assert.equal(named('CREATE trace_probe')?.attributes['db.operation.name'], 'CREATE');
  const insert = named('INSERT trace_probe')!;
  assert.equal(insert.attributes['db.collection.name'], 'trace_probe');
  assert.equal(insert.status, 0);
  const select = named('SELECT trace_probe')!;
  assert.equal(select.attributes['db.response.returned_rows'], 2);
  const failed = named('SELECT trace_probe_missing')!;
  assert.equal(failed.attributes['db.response.status_code'], '42P01');
  assert.equal(failed.status, 2, 'ERROR');
  const text = JSON.stringify(spans);
  assert.ok(!text.includes('value-one'), 'no row or statement content in the spans');
});
