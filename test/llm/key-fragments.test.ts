// A model echoes a private key back in part: two or more body lines (P-256, RSA, Ed25519, OpenSSH),
// without the BEGIN line, whole or streamed in two deltas split at every offset. Nothing of the key
// (no body line, not the decoded private bytes) may reach the data directory or the logs, and with
// mask_responses the client does not get it either.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { generateTestKeys, type TestKey } from '../support/private-keys.js';

/** Replies by id (the prompt says which), each as two stream deltas split at `split`. */
const replies = new Map<string, { text: string; split: number }>();
let upstream: Server;
let gateway: Gateway;
let dataDir: string;
/** Everything the gateway logs, at trace level. */
let logs = '';

before(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const request = JSON.parse(body) as { stream?: boolean; messages: { content: string }[] };
      const reply = replies.get(request.messages[0]!.content)!;
      if (!request.stream) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            id: 'r',
            object: 'chat.completion',
            model: 'm',
            choices: [
              { index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' },
            ],
          }),
        );
        return;
      }
      res.setHeader('content-type', 'text/event-stream');
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: 'r', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: reply.text.slice(0, reply.split) }));
      res.write(chunk({ content: reply.text.slice(reply.split) }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const { port } = upstream.address() as { port: number };
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-key-fragments-'));
  const config = configSchema.parse({
    log_level: 'trace',
    identities: TEST_IDENTITIES,
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: `http://127.0.0.1:${port}`,
        allow: ['*'],
        mask_responses: true,
      },
    ],
    data: dataDir,
  });
  const logDestination = new PassThrough();
  logDestination.on('data', (c: Buffer) => {
    logs += c.toString();
  });
  gateway = await startGateway({ config, path: null, dataDir }, { listen: '127.0.0.1:0', logDestination });
});

after(async () => {
  await gateway?.close();
  await new Promise((r) => upstream?.close(r));
});

async function ask(id: string, stream: boolean): Promise<string> {
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: id }] }),
  });
  assert.equal(res.status, 200);
  return res.text();
}

/** Every body line (and its JSON-escaped neighbourhood) and the decoded private bytes must be absent. */
function leaks(haystack: Buffer, key: TestKey, lines: readonly string[]): string[] {
  const found = lines.filter((l) => haystack.includes(Buffer.from(l)));
  if (haystack.includes(key.secretBytes)) found.push('decoded private bytes');
  return found;
}

test('key fragments echoed whole and streamed split at every offset leave no key bytes', {
  timeout: 600_000,
}, async () => {
  const keys = generateTestKeys().filter((k) =>
    ['P-256 (SEC1)', 'RSA 2048 (PKCS#1)', 'Ed25519 (PKCS#8)', 'OpenSSH Ed25519'].includes(k.kind),
  );
  let n = 0;
  for (const key of keys) {
    // Two body lines and the END line (Ed25519 PKCS#8 has one body line: all of it).
    const start = Math.max(0, key.bodyLines.length - 3);
    const lines = key.bodyLines.slice(start, start + 2);
    const text = `Sure, the end of your key is:\n\n${lines.join('\n')}\n${key.endLine}\n\nKeep it safe.`;
    for (let split = 0; split <= text.length; split++) {
      const id = `q-${n++}`;
      replies.set(id, { text, split });
      const out = await ask(id, true);
      const leaked = leaks(Buffer.from(out.replace(/\\n/g, '\n')), key, lines);
      assert.deepEqual(leaked, [], `${key.kind}, split at ${split}: the client got ${leaked.join(', ')}`);
    }
    const id = `q-${n++}`;
    replies.set(id, { text, split: 0 });
    await ask(id, false);
    await gateway.recorder.drain();
    assert.ok(logs.length > 0, 'the gateway logged at trace level');
    const inLogs = leaks(Buffer.from(logs.replace(/\\n/g, '\n')), key, lines);
    assert.deepEqual(inLogs, [], `${key.kind}: the logs hold ${inLogs.join(', ')}`);
    for (const { path, bytes } of dataDirFiles(dataDir)) {
      const leaked = leaks(bytes, key, lines);
      assert.deepEqual(leaked, [], `${key.kind}: ${path} holds ${leaked.join(', ')}`);
    }
  }
});
