// Offloaded payloads are written after masking, like every payload: a secret in a prompt and in the
// model's answer is in no object and in no other file of the data directory, in clear. A real
// gateway offloading every payload to its objects folder, in front of the stand-in model that
// echoes the prompt, called with the openai SDK.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { dataDirFiles } from '../support/data-dir-files.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

const GITHUB_TOKEN = 'ghp_R8x2Kq9ZpL4mT7vB1nW6yC3dF5gH0jA2sE8u';
const UPSTREAM_KEY = 'upstream-key-offload-5e9d1c7a3b';

let model: StubServer;
let gateway: TestGateway;

before(async () => {
  model = await startWorkloadModel((request) => ({ content: `echo: ${lastUserText(request)}` }));
  process.env.VIGIL_OFFLOAD_UPSTREAM_KEY = UPSTREAM_KEY;
  gateway = await startTestGateway({
    payloads: { offload_above: 0 },
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.baseURL.replace(/\/v1$/, ''),
        credential: 'env:VIGIL_OFFLOAD_UPSTREAM_KEY',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

test('no secret reaches an object (or any file) in clear', async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const answer = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: `deploy with ${GITHUB_TOKEN} and ${UPSTREAM_KEY}` }],
  });
  assert.match(answer.choices[0]!.message.content ?? '', /^echo: deploy with/);
  await gateway.recorder.drain();
  const objects = readdirSync(join(gateway.dataDir, 'payloads', 'sha256'), { recursive: true });
  assert.ok(objects.length > 0, 'the payloads were offloaded');
  const files = dataDirFiles(gateway.dataDir);
  const objectFiles = files.filter((f) => f.path.includes(`${join('payloads', 'sha256')}/`));
  // Not vacuous: the prompt and the answer are in objects, with the secrets replaced.
  assert.ok(objectFiles.some((f) => f.bytes.includes('[MASKED:known-secret:')));
  for (const file of files) {
    for (const secret of [GITHUB_TOKEN, UPSTREAM_KEY]) {
      assert.ok(!file.bytes.includes(secret), `${secret} in clear in ${file.path}`);
    }
  }
});
