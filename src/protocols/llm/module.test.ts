// The module against a stand-in ModuleContext: what it asks of admission, what it records in the
// session and in which order, and that it lets go of the session (release, cut registration).
// Whole-gateway behaviour is covered by test/llm.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Agent, request as undiciRequest } from 'undici';
import { type ConnectionConfig, connectionBaseSchema } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import type { EventType, JsonObject, SessionEndReason } from '../../core/events.js';
import type { AdmissionRequest, ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import type { HttpMount, StartedModule } from '../module.js';
import { LLM_CONNECTION_TYPES } from './config.js';
import { llmModule } from './module.js';

interface UpstreamCall {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let upstream: Server;
let upstreamUrl = '';
const upstreamCalls: UpstreamCall[] = [];
/** The order things happened in across the fake session and the upstream. */
const order: string[] = [];

before(async () => {
  upstream = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    upstreamCalls.push({ headers: req.headers, body });
    order.push('upstream');
    if (JSON.parse(body).stream === true) {
      // One chunk, then silence: the stream only ends when someone cuts it.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"par"}}]}\n\n');
      return;
    }
    const answer = JSON.stringify({
      id: 'c1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function fakeContext(refuseWith: VigilError | null = null) {
  const admitted: AdmissionRequest[] = [];
  const refused: { code: string; facts: JsonObject }[] = [];
  const submitted: { type: EventType; payload: JsonObject }[] = [];
  const observed: { type: EventType; payload: JsonObject }[] = [];
  const cutters = new Set<(reason: SessionEndReason) => void>();
  const state = { active: 0, begun: 0 };
  const session: ModuleSession = {
    id: 's-fake',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    connection: 'oa',
    async submit(type, payload) {
      order.push('submit');
      submitted.push({ type, payload });
      return null;
    },
    async observe(type, payload) {
      observed.push({ type, payload });
      return null;
    },
    async refuse(error, facts) {
      refused.push({ code: error.code, facts });
    },
    async refuseAction() {
      throw new Error('the LLM module refuses nothing before policy');
    },
    judge() {
      throw new Error('the LLM module judges nothing without recording it');
    },
    begin() {
      state.active++;
      state.begun++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        state.active--;
      };
    },
    touch() {},
    onCut(cut) {
      cutters.add(cut);
      return () => cutters.delete(cut);
    },
    async end() {},
  };
  const ctx: ModuleContext = {
    knowsPublicKey: () => false,
    async admit(request) {
      admitted.push(request);
      if (refuseWith) throw refuseWith;
      return session;
    },
    masker: {
      maskPayload: (p) => p,
      maskText: (t) => t,
      createStreamMasker: () => ({ push: (t) => t, end: () => '' }),
      createValueStreamMasker: () => ({ push: (t) => t, end: () => '' }),
      createKnownSecretsMasker: () => ({ push: (t) => t, end: () => '' }),
      maskKnownSecrets: (t) => t,
      isSecretName: () => false,
    },
    logger: { info() {}, warn() {}, error() {} },
    credential: (name) => (name === 'oa' || name === 'an' ? `sk-real-${name}` : null),
    resolveSecret: (ref) => ref,
    maxBodyBytes: 4096,
    dataDir: '/nonexistent',
    // The LLM module keeps no module state.
    moduleState: {
      get: async () => null,
      list: async () => [],
      put: async () => undefined,
      putIfAbsent: async (_ns, _key, value) => value,
    },
  };
  return { ctx, admitted, refused, submitted, observed, cutters, state };
}

function connections(): ConnectionConfig[] {
  return [
    LLM_CONNECTION_TYPES['llm-openai'].parse({ name: 'oa', type: 'llm-openai', upstream: upstreamUrl }),
    LLM_CONNECTION_TYPES['llm-anthropic'].parse({ name: 'an', type: 'llm-anthropic', upstream: upstreamUrl }),
  ];
}

/** Serves the module's mounts as the gateway does, under /c/<connection>/. */
async function serve(started: StartedModule) {
  const server = createServer((req, res) => {
    const m = /^\/c\/([^/]+)(\/[^?]*)?(\?.*)?$/.exec(req.url ?? '');
    const mount: HttpMount | undefined = m ? started.http?.get(m[1]!) : undefined;
    if (!m || !mount) {
      res.writeHead(404).end();
      return;
    }
    void mount(req, res, m[2] ?? '/', m[3] ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await started.close();
    },
  };
}

const chat = (extra: JsonObject = {}) =>
  JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'ping' }], ...extra });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('start mounts one handler per connection, by name, and refuses a type it does not serve', async () => {
  const { ctx } = fakeContext();
  const started = await llmModule.start(ctx, connections());
  assert.deepEqual([...(started.http?.keys() ?? [])].toSorted(), ['an', 'oa']);
  assert.equal(started.tcp, undefined);
  await started.close();
  const postgres = connectionBaseSchema.parse({ name: 'db', type: 'postgres', upstream: '127.0.0.1:5432' });
  await assert.rejects(llmModule.start(ctx, [postgres]), { code: 'config_invalid' });
});

test('a request is recorded before it goes upstream, with the real credential instead of the token', async () => {
  const f = fakeContext();
  const gw = await serve(await llmModule.start(f.ctx, connections()));
  try {
    order.length = 0;
    const before = upstreamCalls.length;
    const res = await fetch(`${gw.url}/c/oa/v1/chat/completions?api-version=1`, {
      method: 'POST',
      body: chat(),
      headers: { authorization: 'Bearer vigil-token', 'x-vigil-session': 'run-1' },
    });
    assert.equal(res.status, 200);
    assert.equal(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
      'pong',
    );
    assert.equal(res.headers.get('x-vigil-session-id'), 's-fake');
    assert.deepEqual(order, ['submit', 'upstream'], 'write-ahead: submitted, then forwarded');
    const call = upstreamCalls[before]!;
    assert.equal(call.headers.authorization, 'Bearer sk-real-oa');
    assert.ok(!JSON.stringify(call.headers).includes('vigil-token'), 'the Vigil token never goes upstream');
    assert.equal(f.admitted[0]!.credential, 'vigil-token');
    assert.equal(f.admitted[0]!.facts.external_session, 'run-1');
    assert.equal(f.submitted[0]!.type, 'llm.request');
    assert.equal(f.submitted[0]!.payload.requestId, res.headers.get('x-vigil-request-id'));
    assert.equal(f.submitted[0]!.payload.query, '?api-version=1', 'the query is recorded as forwarded');
    const response = f.observed.find((e) => e.type === 'llm.response');
    assert.equal(response?.payload.status, 200);
    assert.equal(response?.payload.partial, false);
    assert.deepEqual([f.state.begun, f.state.active, f.cutters.size], [1, 0, 0], 'released and unregistered');
  } finally {
    await gw.close();
  }
});

test('refusals after admission are recorded in the session with the method and path, and go nowhere', async () => {
  const f = fakeContext();
  const gw = await serve(await llmModule.start(f.ctx, connections()));
  try {
    const before = upstreamCalls.length;
    const cases: [string, string, number, string][] = [
      ['/c/oa/v1/unknown', chat(), 404, 'route_unknown'],
      ['/c/oa/v1/chat/completions', '{"model":', 400, 'body_invalid_json'],
      ['/c/oa/v1/chat/completions', 'x'.repeat(5000), 413, 'body_too_large'],
      ['/c/oa/v1/chat/completions', `${'['.repeat(1000)}${']'.repeat(1000)}`, 400, 'body_too_deep'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await fetch(gw.url + path, {
        method: 'POST',
        body,
        headers: { authorization: 'Bearer t' },
      });
      assert.deepEqual([res.status, res.headers.get('x-vigil-error')], [status, code], path);
    }
    assert.deepEqual(f.refused, [
      { code: 'route_unknown', facts: { method: 'POST', path: '/v1/unknown' } },
      { code: 'body_invalid_json', facts: { method: 'POST', path: '/v1/chat/completions' } },
      { code: 'body_too_large', facts: { method: 'POST', path: '/v1/chat/completions' } },
      { code: 'body_too_deep', facts: { method: 'POST', path: '/v1/chat/completions' } },
    ]);
    assert.equal(f.submitted.length, 0);
    assert.equal(upstreamCalls.length, before);
    assert.deepEqual([f.state.begun, f.state.active], [cases.length, 0]);
  } finally {
    await gw.close();
  }
});

test('a caller refused at admission gets the error in its SDK’s shape and no session work', async () => {
  const f = fakeContext(new VigilError('forbidden_connection', 'not for you'));
  const gw = await serve(await llmModule.start(f.ctx, connections()));
  try {
    const res = await fetch(`${gw.url}/c/an/v1/messages`, { method: 'POST', body: chat() });
    assert.equal(res.status, 403);
    const body = (await res.json()) as { type: string; error: { type: string; code: string } };
    assert.deepEqual([body.type, body.error.code], ['error', 'forbidden_connection']);
    assert.equal(f.admitted[0]!.protocol, 'llm-anthropic');
    assert.equal(f.admitted[0]!.connection.name, 'an');
    assert.deepEqual([f.state.begun, f.refused.length, f.submitted.length], [0, 0, 0]);
  } finally {
    await gw.close();
  }
});

test('cutting the session ends a stream in flight, and the partial answer is recorded', async () => {
  const f = fakeContext();
  const gw = await serve(await llmModule.start(f.ctx, connections()));
  try {
    const res = await fetch(`${gw.url}/c/oa/v1/chat/completions`, {
      method: 'POST',
      body: chat({ stream: true }),
      headers: { authorization: 'Bearer t' },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.match(Buffer.from(first.value!).toString(), /"par"/);
    assert.equal(f.cutters.size, 1, 'the exchange registered for a cut');
    for (const cut of [...f.cutters]) cut('revoked');
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
      'the client sees the stream cut, not a clean end',
    );
    await until(() => f.observed.some((e) => e.type === 'llm.response'), 'the response record');
    const response = f.observed.find((e) => e.type === 'llm.response')!.payload;
    assert.equal(response.partial, true);
    assert.equal((response.error as JsonObject).code, 'upstream_failed');
    await until(() => f.state.active === 0, 'the release');
    assert.equal(f.cutters.size, 0);
  } finally {
    await gw.close();
  }
});

test('each request records its client TCP connection: one name per keep-alive socket, never an address', async () => {
  const f = fakeContext();
  const gw = await serve(await llmModule.start(f.ctx, connections()));
  const post = (dispatcher: Agent) =>
    undiciRequest(`${gw.url}/c/oa/v1/chat/completions`, {
      method: 'POST',
      body: chat(),
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      dispatcher,
    }).then((r) => r.body.text());
  const first = new Agent({ connections: 1 });
  const second = new Agent({ connections: 1 });
  try {
    await post(first);
    await post(first);
    await post(second);
    const names = f.submitted.map((e) => e.payload.clientConnection);
    assert.equal(names.length, 3);
    assert.ok(
      names.every((n) => typeof n === 'string' && !n.includes('127.0.0.1')),
      JSON.stringify(names),
    );
    assert.equal(names[0], names[1], 'the same keep-alive socket keeps its name');
    assert.notEqual(names[1], names[2], 'another socket gets another name');
  } finally {
    await first.close();
    await second.close();
    await gw.close();
  }
});
