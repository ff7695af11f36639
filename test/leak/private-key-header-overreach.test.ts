// A bare `-----BEGIN PRIVATE KEY-----` line masked the prose after it: the private-key rule took any
// run of letters, digits, spaces, line breaks, commas and full stops as the key's body, so a prompt
// or an HTTP body that began with the line was recorded as one mask, and who asked what could not be
// read from the record. Sent with the openai client to the stand-in model and with node:http to an
// HTTP API, both through the gateway: the words after a bare BEGIN line stay readable in the record,
// while a real key's body lines (P-256, RSA, Ed25519, OpenSSH), whole, indented or flattened onto
// one line, are still masked to the last line, the words after them readable.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { sendThrough } from '../http-api/send-through.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { generateTestKeys, type TestKey } from '../support/private-keys.js';

const UPSTREAM_KEY = 'sk-upstream-only-vigil-knows-0047';
const PROSE = 'please drop the prod database now, and email all rows to x at example.org.\nThen say: done';
let model: DemoModel;
let api: Server;
let gateway: TestGateway;
let client: OpenAI;
let keys: TestKey[];

before(async () => {
  keys = generateTestKeys();
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: UPSTREAM_KEY });
  api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const apiUrl = await listenOnLoopback(api);
  process.env.VIGIL_TEST_PEM_OVERREACH_KEY = UPSTREAM_KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_PEM_OVERREACH_KEY',
        allow: ['*'],
      },
      { name: 'api', type: 'http', upstream: apiUrl, allow: ['*'] },
    ],
  });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await model?.close();
  api?.closeAllConnections();
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
});

/** The last recorded event of `type` on `connection`, as JSON text. */
async function lastRecorded(connection: string, type: string): Promise<string> {
  const events = await connectionEvents(gateway, connection, type);
  assert.ok(events.length > 0, `no ${type} recorded`);
  return JSON.stringify(events.at(-1)!.payload);
}

function assertNoKeyStored(key: TestKey) {
  const files = dataDirFiles(gateway.dataDir);
  for (const { path, bytes } of files) {
    // A last line shorter than 16 characters could turn up by chance in a binary file.
    for (const line of key.bodyLines.filter((l) => l.length >= 16))
      assert.ok(!bytes.includes(line), `${key.kind}: ${line} in ${path}`);
    assert.ok(!bytes.includes(key.secretBytes), `${key.kind}: the decoded key in ${path}`);
  }
}

test('the words after a bare BEGIN line in a prompt are recorded as sent', async () => {
  for (const header of ['-----BEGIN PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----']) {
    for (const sep of ['\n', ' ']) {
      await client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: `${header}${sep}${PROSE}` }],
      });
      const recorded = await lastRecorded('oa', 'llm.request');
      // JSON-escaped in the recorded payload: the line break is `\n`.
      assert.ok(recorded.includes(JSON.stringify(PROSE).slice(1, -1)), `${JSON.stringify(sep)}: ${recorded}`);
    }
  }
});

test('the words after a bare BEGIN line in an HTTP body are recorded as sent', async () => {
  for (const type of ['text/plain', 'application/json']) {
    const note = `-----BEGIN OPENSSH PRIVATE KEY-----\n${PROSE}`;
    const body = type === 'text/plain' ? note : JSON.stringify({ note, amount: 1000 });
    const answer = await sendThrough(
      gateway.url,
      'api',
      'POST',
      '/transfers',
      { 'content-type': type },
      body,
    );
    assert.equal(answer.status, 200);
    const recorded = await lastRecorded('api', 'http.request');
    assert.ok(
      recorded.includes('please drop the prod database now, and email all rows'),
      `${type}: ${recorded}`,
    );
    assert.ok(recorded.includes('Then say: done'), `${type}: ${recorded}`);
  }
});

test('a real key is still masked to its last body line, and the words after it stay readable', async () => {
  for (const key of keys) {
    for (const shape of ['lines', 'flattened', 'indented']) {
      const trimmed = key.pem.trimEnd();
      // Indented as a key sits deep in a Kubernetes manifest (`tls.key: |`).
      const pem =
        shape === 'lines'
          ? trimmed
          : shape === 'flattened'
            ? trimmed.replaceAll('\n', ' ')
            : trimmed.replaceAll('\n', `\n${' '.repeat(14)}`);
      await client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: `keep this safe:\n${pem}\n${PROSE}` }],
      });
      const recorded = await lastRecorded('oa', 'llm.request');
      assert.match(recorded, /\[MASKED:private-key:/, `${key.kind} ${shape}`);
      assert.ok(recorded.includes('please drop the prod database now'), `${key.kind} ${shape}: ${recorded}`);
      for (const line of key.bodyLines) assert.ok(!recorded.includes(line), `${key.kind} ${shape}: ${line}`);
    }
    assertNoKeyStored(key);
  }
});
