// The span plan of a session, from recorded events: the shapes of the non-model spans (MCP, SSH,
// HTTP, denials) and, for any sequence of events, a well-formed plan (parents before children,
// ends not before starts) that holds no client-written text unless content is on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { EventType, JsonObject, StoredEvent } from '../core/events.js';
import { planSessionTrace } from './session-plan.js';

const IDENTITY = { subject: 'alice', kind: 'user' as const, groups: [] };

function events(protocol: string, drafts: readonly [EventType, JsonObject][]): StoredEvent[] {
  const all: [EventType, JsonObject][] = [
    ['session.start', { protocol }],
    ...drafts,
    ['session.end', { reason: 'closed' }],
  ];
  return all.map(([type, payload], seq) => ({
    type,
    payload,
    seq,
    index: seq,
    sessionId: 's_plan',
    connection: 'c',
    identity: IDENTITY,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq * 10)).toISOString(),
    payloadHash: '',
    prevHash: '',
    hash: '',
  }));
}

test('an MCP tool call is an execute_tool span ended by its result; arguments only with content', () => {
  const recorded = events('mcp', [
    ['mcp.call', { call_id: 'mc1', request_id: '7', tool: 'search', arguments: { q: 'private words' } }],
    ['mcp.result', { call_id: 'mc1', tool: 'search', isError: true, content: [] }],
  ]);
  const plan = planSessionTrace(recorded, { content: false })!;
  const call = plan.spans[1]!;
  assert.equal(call.name, 'tools/call search');
  assert.equal(call.parent, 'session');
  assert.equal(call.attributes['mcp.method.name'], 'tools/call');
  assert.equal(call.attributes['gen_ai.tool.name'], 'search');
  assert.equal(call.attributes['gen_ai.operation.name'], 'execute_tool');
  assert.equal(call.attributes['gen_ai.tool.call.arguments'], undefined);
  assert.equal(call.end, recorded[2]!.time);
  assert.equal(call.error, 'the tool reported an error');
  const withContent = planSessionTrace(recorded, { content: true })!;
  assert.equal(withContent.spans[1]!.attributes['gen_ai.tool.call.arguments'], '{"q":"private words"}');
});

test('an SSH exec ends with its exit status; shell lines end at the next line', () => {
  const recorded = events('ssh', [
    ['ssh.exec', { channel: 0, command: 'ls -la', pty: null, env: {} }],
    ['ssh.exit', { channel: 0, exit_status: 2, signal: null }],
    ['ssh.exec', { channel: 1, shell: true, command: '', pty: null, env: {} }],
    ['ssh.command', { channel: 1, index: 0, command: 'whoami' }],
    ['ssh.command', { channel: 1, index: 1, command: 'exit' }],
    ['ssh.exit', { channel: 1, exit_status: 0, signal: null }],
  ]);
  const [, exec, shell, first, second] = planSessionTrace(recorded, { content: false })!.spans;
  assert.equal(exec!.name, 'ssh exec');
  assert.equal(exec!.attributes['process.exit.code'], 2);
  assert.equal(exec!.error, 'exit status 2');
  assert.equal(exec!.attributes['process.command_line'], undefined);
  assert.equal(shell!.name, 'ssh shell');
  assert.equal(shell!.end, recorded[6]!.time);
  assert.equal(first!.end, recorded[5]!.time, 'a line ends where the next starts');
  assert.equal(second!.end, recorded[6]!.time);
  assert.equal(
    planSessionTrace(recorded, { content: true })!.spans[1]!.attributes['process.command_line'],
    'ls -la',
  );
});

test('an HTTP API call carries method, path and status; a denial ends it at the refusal', () => {
  const recorded = events('http', [
    ['http.request', { request_id: 'r1', method: 'GET', path: '/v1/items', query: '?q=x' }],
    ['http.response', { request_id: 'r1', status: 503, duration_ms: 3 }],
    ['http.request', { request_id: 'r2', method: 'DELETE', path: '/v1/items/1', query: '' }],
    ['policy.decision', { action: 'deny', rule: 'no-deletes', subject_type: 'http.request' }],
  ]);
  const [root, ok, denied] = planSessionTrace(recorded, { content: false })!.spans;
  assert.equal(ok!.name, 'GET');
  assert.equal(ok!.attributes['http.request.method'], 'GET');
  assert.equal(ok!.attributes['url.path'], '/v1/items');
  assert.equal(ok!.attributes['url.query'], undefined);
  assert.equal(ok!.attributes['http.response.status_code'], 503);
  assert.equal(ok!.error, 'HTTP 503');
  assert.equal(denied!.error, 'denied by policy');
  assert.equal(denied!.end, recorded[4]!.time);
  assert.deepEqual(denied!.events[0]!.attributes, {
    'vigil.policy.action': 'deny',
    'vigil.policy.rule': 'no-deletes',
  });
  assert.equal(root!.attributes['vigil.session.end_reason'], 'closed');
});

/** Payload values that stand for text a client wrote: none may appear in a plan without content. */
const CLIENT_TEXT = 'client-text-7f3a';

const payloadArb: fc.Arbitrary<JsonObject> = fc.record(
  {
    requestId: fc.constantFrom('r1', 'r2', 'r3'),
    request_id: fc.constantFrom('r1', 'r2', 'q9'),
    call_id: fc.constantFrom('mc1', 'mc2'),
    read_id: fc.constantFrom('mr1'),
    api: fc.constantFrom('openai.chat', 'anthropic.messages', 'openai.embeddings', 'openai.models'),
    model: fc.constantFrom('gpt-4', null),
    channel: fc.constantFrom(0, 1),
    tool: fc.constantFrom('search', null),
    method: fc.constantFrom('GET', 'POST'),
    path: fc.constant('/p'),
    status: fc.constantFrom(200, 404, null),
    sqlstate: fc.constantFrom('42P01', null),
    row_count: fc.nat(5),
    statement: fc.constant(`SELECT '${CLIENT_TEXT}'`),
    command: fc.constant(CLIENT_TEXT),
    arguments: fc.constant({ text: CLIENT_TEXT }),
    content: fc.constant([{ type: 'text', text: CLIENT_TEXT }]),
    query: fc.constant(`?${CLIENT_TEXT}`),
    body: fc.constant({ messages: [{ role: 'user', content: CLIENT_TEXT }], stop: CLIENT_TEXT }),
    choices: fc.constant([{ index: 0, text: CLIENT_TEXT, finishReason: 'stop', toolCalls: [] }]),
    action: fc.constantFrom('allow', 'deny', 'alert'),
    subject_type: fc.constantFrom('llm.request', 'db.query', 'mcp.call'),
    trace: fc.constantFrom(
      null,
      { traceId: 'a'.repeat(32), parentSpanId: 'b'.repeat(16) },
      { traceId: 'zz', parentSpanId: '' },
    ),
  },
  { requiredKeys: [] },
);

const typeArb = fc.constantFrom<EventType>(
  'llm.request',
  'llm.response',
  'db.query',
  'db.result',
  'ssh.exec',
  'ssh.command',
  'ssh.exit',
  'mcp.call',
  'mcp.read',
  'mcp.result',
  'http.request',
  'http.response',
  'policy.decision',
  'approval.requested',
  'approval.decided',
  'access.revoked',
);

test('any event sequence gives a well-formed plan, with no client text unless content is on', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('postgres', 'mysql', 'ssh', 'mcp', 'llm-openai'),
      fc.array(fc.tuple(typeArb, payloadArb), { maxLength: 40 }),
      (protocol, drafts) => {
        const plan = planSessionTrace(events(protocol, drafts), { content: false })!;
        assert.equal(plan.spans[0]!.key, 'session');
        assert.equal(plan.spans[0]!.parent, null);
        const seen = new Set<string>();
        for (const span of plan.spans) {
          assert.ok(!seen.has(span.key), `unique key ${span.key}`);
          if (span.parent !== null) assert.ok(seen.has(span.parent), `${span.key}'s parent comes first`);
          seen.add(span.key);
          assert.ok(span.end >= span.start, `${span.key} ends after it starts`);
        }
        if (plan.remoteParent) assert.match(plan.remoteParent.traceId, /^[0-9a-f]{32}$/);
        assert.ok(!JSON.stringify(plan.spans).includes(CLIENT_TEXT), 'no client text in the plan');
      },
    ),
    { numRuns: 300 },
  );
});
