// An attacker with a Vigil token looks for a way to put a prompt before the model, or take an
// answer from it, that the ledger never holds or policy never reads: the provider's other endpoints
// (file and upload stores a batch reads later, batches, audio, moderations, assistants and threads,
// realtime over a WebSocket upgrade, Anthropic's message batches), and the HTTP/1.1 framing around a
// request (a second request pipelined in the same write, Content-Length beside Transfer-Encoding,
// transfer codings other than chunked, chunk extensions and trailers). Each endpoint is refused
// before the upstream as `route_unknown` and recorded as `access.denied`; each framing trick is
// refused, or read as the requests it is, every one of them judged and recorded. The model is the
// stand-in behind a deny rule; the raw requests go over a plain socket.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { connectionEvents, recordedEvents, TOKENS } from '../support/gateway.js';
import { type DenyRuleGateway, startDenyRuleGateway } from './deny-rule-gateway.js';

const DENIED = 'EXFIL-NOW';
let g: DenyRuleGateway;

before(async () => {
  g = await startDenyRuleGateway(DENIED, 'VIGIL_LLM_SIDE_ENDPOINTS_KEY', 'sk-upstream-side-endpoints-0123');
});

after(async () => {
  await g?.close();
});

const AUTH = { authorization: `Bearer ${TOKENS.alice}` };
const ANTHROPIC = { 'x-api-key': TOKENS.alice, 'anthropic-version': '2023-06-01' };
const PROMPT = 'side-door prompt 7f3a';
const jsonBody = JSON.stringify({ model: 'demo', input: PROMPT, prompt: PROMPT, purpose: 'batch' });

/** A multipart upload, as a file store, an upload part or a transcription takes it. */
function multipart(): { body: string; type: string } {
  const b = 'vigilboundary';
  const line = JSON.stringify({
    custom_id: '1',
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'demo', messages: [{ role: 'user', content: `${PROMPT} ${DENIED}` }] },
  });
  const body =
    `--${b}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
    `--${b}\r\nContent-Disposition: form-data; name="file"; filename="batch.jsonl"\r\n` +
    `Content-Type: application/jsonl\r\n\r\n${line}\r\n--${b}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${b}` };
}

const OPENAI_SIDE: [string, string][] = [
  ['POST', '/v1/files'],
  ['GET', '/v1/files/file-abc/content'],
  ['POST', '/v1/uploads'],
  ['POST', '/v1/uploads/upload_abc/parts'],
  ['POST', '/v1/batches'],
  ['GET', '/v1/batches/batch_abc'],
  ['POST', '/v1/audio/transcriptions'],
  ['POST', '/v1/audio/speech'],
  ['POST', '/v1/moderations'],
  ['POST', '/v1/images/generations'],
  ['POST', '/v1/assistants'],
  ['POST', '/v1/threads'],
  ['POST', '/v1/threads/thread_abc/messages'],
  ['POST', '/v1/threads/thread_abc/runs'],
  ['POST', '/v1/threads/runs'],
  ['POST', '/v1/fine_tuning/jobs'],
  ['POST', '/v1/vector_stores'],
  ['POST', '/v1/conversations'],
  ['POST', '/v1/conversations/conv_abc/items'],
  ['GET', '/v1/responses/resp_abc'],
  ['GET', '/v1/responses/resp_abc/input_items'],
  ['POST', '/v1/responses/input_tokens'],
  ['POST', '/v1/responses/resp_abc/cancel'],
  ['GET', '/v1/chat/completions/chatcmpl-abc/messages'],
  ['POST', '/v1/chat/completions/chatcmpl-abc'],
  ['POST', '/v1/realtime/sessions'],
  ['POST', '/v1/realtime/client_secrets'],
  ['POST', '/v1/containers'],
  ['POST', '/v1/evals'],
  ['POST', '/v1/chat/completions/'],
  ['PUT', '/v1/chat/completions'],
  ['POST', '/v1/../v1/files'],
];

const ANTHROPIC_SIDE: [string, string][] = [
  ['POST', '/v1/messages/batches'],
  ['GET', '/v1/messages/batches/msgbatch_abc/results'],
  ['POST', '/v1/files'],
  ['POST', '/v1/complete'],
  ['POST', '/v1/skills'],
  ['POST', '/v1/messages/count_tokens/'],
];

async function refusedSideRoute(connection: 'oa' | 'an', method: string, path: string): Promise<void> {
  const reached = g.model.requests.length;
  const upload = multipart();
  const isUpload = /files$|uploads|audio\/transcriptions|\/parts$/.test(path);
  const res = await fetch(`${g.gateway.url}/c/${connection}${path}`, {
    method,
    headers: {
      ...(connection === 'oa' ? AUTH : ANTHROPIC),
      'content-type': isUpload ? upload.type : 'application/json',
    },
    ...(method === 'GET' ? {} : { body: isUpload ? upload.body : jsonBody }),
  });
  const what = `${connection} ${method} ${path}`;
  assert.equal(res.status, 404, `${what}: ${res.headers.get('x-vigil-error')}`);
  assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', what);
  await res.arrayBuffer();
  assert.equal(g.model.requests.length, reached, `${what} reached the model`);
}

/**
 * Each refused route is in the ledger as an `access.denied` naming its method and path. On a loaded
 * machine a read of the ledger right after the refusals has missed one of them that a later read
 * found, so the ledger is read again for up to 20 s.
 */
async function assertDenialsRecorded(connection: string, routes: [string, string][]): Promise<void> {
  const missing = async () => {
    const denied = new Set(
      (await recordedEvents(g.gateway, 'access.denied'))
        .filter((e) => e.connection === connection)
        .map((e) => `${String(e.payload?.method)} ${String(e.payload?.path)}`),
    );
    return routes
      .map(([method, path]) => [method, path, `${method} ${new URL(path, 'http://x').pathname}`] as const)
      .filter(([method, path, resolved]) => !denied.has(`${method} ${path}`) && !denied.has(resolved))
      .map(([method, path]) => `${method} ${path}`);
  };
  let left = await missing();
  for (let i = 0; i < 40 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = await missing();
  }
  assert.deepEqual(left, [], `${connection}: refusals not recorded`);
}

test('every OpenAI endpoint Vigil cannot record (files, uploads, batches, audio, assistants, threads, …) is refused and recorded', async () => {
  for (const [method, path] of OPENAI_SIDE) await refusedSideRoute('oa', method, path);
  await assertDenialsRecorded('oa', OPENAI_SIDE);
});

test("Anthropic's message batches, files and legacy completions are refused and recorded", async () => {
  for (const [method, path] of ANTHROPIC_SIDE) await refusedSideRoute('an', method, path);
  await assertDenialsRecorded('an', ANTHROPIC_SIDE);
});

test('count_tokens is judged and recorded with its prompt', async () => {
  const count = await g.anthropic.messages.countTokens({
    model: 'demo',
    messages: [{ role: 'user', content: `count ${PROMPT}` }],
  });
  assert.ok(count.input_tokens > 0);
  const request = (await connectionEvents(g.gateway, 'an', 'llm.request')).at(-1)!;
  assert.ok(JSON.stringify(request.payload).includes(`count ${PROMPT}`), 'the prompt is recorded');
  await g.assertDenied('count_tokens', () =>
    g.anthropic.messages.countTokens({ model: 'demo', messages: [{ role: 'user', content: DENIED }] }),
  );
});

/**
 * Writes `bytes` in one write and reads until the gateway closes the socket (the last request asks
 * it to), or 15 s pass (the machine may be loaded). The socket stays open for writing: a client's FIN would end it early.
 */
function raw(bytes: string): Promise<string> {
  const { hostname, port } = new URL(g.gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      out += d;
    });
    socket.setTimeout(15_000, () => socket.destroy());
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

const chatBody = (text: string) =>
  JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: text }] });

function request(body: string, headers: Record<string, string> = {}, path = '/c/oa/v1/chat/completions') {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: vigil', `Authorization: Bearer ${TOKENS.alice}`];
  lines.push('Content-Type: application/json');
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (!Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k)))
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

/** Every body the model received was recorded as a request, and none holds the denied phrase. */
async function modelSawOnlyRecorded(since: number, what: string): Promise<void> {
  await g.gateway.recorder.drain();
  const recorded = JSON.stringify(
    [
      ...(await connectionEvents(g.gateway, 'oa', 'llm.request')),
      ...(await connectionEvents(g.gateway, 'an', 'llm.request')),
    ].map((e) => e.payload),
  );
  for (const r of g.model.requests.slice(since)) {
    const body = JSON.stringify(r.body);
    assert.ok(!body.includes(DENIED), `${what}: the denied phrase reached the model`);
    const text = /side-door [\w-]+/.exec(body)?.[0];
    if (text) assert.ok(recorded.includes(text), `${what}: ${text} reached the model unrecorded`);
  }
}

test('two requests pipelined in one write are each judged and recorded; the denied one never reaches the model', async () => {
  const since = g.model.requests.length;
  const out = await raw(
    request(chatBody('side-door first')) +
      request(chatBody(`side-door second ${DENIED}`)) +
      request(chatBody('side-door third'), { Connection: 'close' }),
  );
  assert.deepEqual(statuses(out), [200, 403, 200], out.replace(/\{[^\n]*\}/g, '{…}'));
  assert.equal(g.model.requests.length, since + 2);
  await modelSawOnlyRecorded(since, 'pipelined');
  const recorded = JSON.stringify(
    (await connectionEvents(g.gateway, 'oa', 'llm.request')).slice(-3).map((e) => e.payload),
  );
  for (const t of ['side-door first', 'side-door second', 'side-door third'])
    assert.ok(recorded.includes(t), `${t} recorded`);
});

test('Transfer-Encoding and Content-Length tricks smuggle no request past the record or policy', async () => {
  const inner = request(chatBody(`side-door smuggled ${DENIED}`), { Connection: 'close' });
  const benign = chatBody('side-door outer');
  const chunked = (body: string, ext = '') => `${body.length.toString(16)}${ext}\r\n${body}\r\n0\r\n\r\n`;
  /** Each case, its bytes, and the statuses of the answers: Node's 400 for a framing it refuses. */
  const cases: [string, string, number[]][] = [
    [
      'CL.TE',
      request(chunked(benign) + inner, { 'Content-Length': '6', 'Transfer-Encoding': 'chunked' }),
      [400],
    ],
    [
      'TE.CL',
      request(`${chunked(benign)}${inner}`, { 'Transfer-Encoding': 'chunked', 'Content-Length': '4' }),
      [400],
    ],
    [
      'TE twice',
      request(chunked(benign) + inner, { 'Transfer-Encoding': 'chunked', 'transfer-encoding': 'x' }),
      [400],
    ],
    [
      'TE gzip, chunked',
      request(chunked(benign) + inner, { 'Transfer-Encoding': 'gzip, chunked' }),
      [200, 403],
    ],
    [
      'TE chunked, identity',
      request(chunked(benign) + inner, { 'Transfer-Encoding': 'chunked, identity' }),
      [400],
    ],
    [
      'TE xchunked',
      request(benign + inner, { 'Transfer-Encoding': 'xchunked', 'Content-Length': `${benign.length}` }),
      [400],
    ],
    ['TE with a space', request(chunked(benign) + inner, { 'Transfer-Encoding ': 'chunked' }), [400]],
    [
      'CL twice',
      request(benign + inner, { 'Content-Length': `${benign.length}`, 'content-length': '5' }),
      [400],
    ],
    [
      'CL list',
      request(benign + inner, { 'Content-Length': `${benign.length}, ${benign.length + 5}` }),
      [400],
    ],
    ['CL signed', request(benign + inner, { 'Content-Length': `+${benign.length}` }), [400]],
    ['obs-fold TE', request(chunked(benign) + inner, { 'X-Pad': 'a\r\n Transfer-Encoding: chunked' }), [400]],
    [
      'chunk extension',
      request(chunked(benign, `;x="${DENIED}"`) + inner, { 'Transfer-Encoding': 'chunked' }),
      [200, 403],
    ],
    [
      'trailer',
      request(`${benign.length.toString(16)}\r\n${benign}\r\n0\r\nContent-Length: 999\r\n\r\n${inner}`, {
        'Transfer-Encoding': 'chunked',
      }),
      [400],
    ],
  ];
  // Sent side by side: a case the gateway reads as one request waits out its keep-alive.
  const since = g.model.requests.length;
  const answers = await Promise.all(cases.map(([, bytes]) => raw(bytes)));
  await modelSawOnlyRecorded(since, 'framing');
  for (const [i, [what, , expected]] of cases.entries()) {
    // Node's parser refuses the framing, or reads the request it frames and then the smuggled one,
    // which the rule refuses: `gzip, chunked` is read as chunked (the body must be JSON as it
    // stands), a chunk extension is dropped.
    assert.deepEqual(statuses(answers[i]!), expected, what);
  }
  const health = await fetch(`${g.gateway.url}/healthz`);
  assert.equal(health.status, 200);
});

test('a WebSocket upgrade to the realtime API is refused, and nothing reaches the model', async () => {
  const since = g.model.requests.length;
  const out = await raw(
    [
      'GET /c/oa/v1/realtime HTTP/1.1',
      'Host: vigil',
      `Authorization: Bearer ${TOKENS.alice}`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      '',
      '',
    ].join('\r\n'),
  );
  assert.ok(!statuses(out).includes(101), out.slice(0, 300));
  assert.equal(g.model.requests.length, since);
});
