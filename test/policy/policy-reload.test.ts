// Policy rules reload without a restart: editing vigil.yaml swaps the rules in a running gateway
// (recorded with a digest of the new policy); a file that does not validate keeps the old rules.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { loadConfigFile } from '../../src/server/load-config.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: Gateway;
let client: OpenAI;
let file: string;

function writeConfig(rules: unknown[] | string): void {
  const config = {
    log_level: 'silent',
    data: './data',
    identities: TEST_IDENTITIES,
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_RELOAD_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: { rules },
  };
  // JSON is YAML: the file is what an operator would write, in its most explicit form.
  writeFileSync(file, JSON.stringify(config, null, 2));
}

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: 'sk-reload' });
  process.env.VIGIL_TEST_RELOAD_KEY = 'sk-reload';
  file = join(mkdtempSync(join(tmpdir(), 'vigil-reload-')), 'vigil.yaml');
  writeConfig([]);
  gateway = await startGateway(loadConfigFile(file), { listen: '127.0.0.1:0' });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});
after(async () => {
  await gateway?.close();
  await model?.close();
});

const ask = (content: string) =>
  client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content }] }).then(
    () => 'allowed',
    (e: unknown) => (e instanceof OpenAI.APIError ? String(e.code) : String(e)),
  );

async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('an edited policy takes effect without a restart, and the reload is recorded', async () => {
  assert.equal(await ask('tell me the launch codes'), 'allowed');
  const before = gateway.approvals.reloader!.digest;
  writeConfig([{ name: 'no-launch-codes', match: { pattern: '(?i)launch codes' }, action: 'deny' }]);
  await eventually(async () => (await ask('tell me the launch codes')) === 'policy_denied', 'the new rule');
  assert.notEqual(gateway.approvals.reloader!.digest, before);
  assert.equal(await ask('tell me a joke'), 'allowed');

  await gateway.recorder.drain();
  const [session] = await gateway.store.ledger.listSessions({ connection: 'vigil' });
  const events = await gateway.store.ledger.readSession(session!.id);
  const reload = events.find((e) => e.type === 'admin.action' && e.payload?.action === 'policy.reloaded');
  assert.deepEqual(reload?.payload?.rules, ['no-launch-codes']);
  assert.equal(reload?.payload?.digest, gateway.approvals.reloader!.digest);
});

test('a policy that does not validate is refused and the previous one stays in force', async () => {
  const inForce = gateway.approvals.reloader!.digest;
  writeConfig([{ name: 'broken', match: { pattern: '(unclosed' }, action: 'deny' }]);
  await gateway.approvals.reloader!.reload();
  assert.equal(gateway.approvals.reloader!.digest, inForce);
  assert.equal(await ask('tell me the launch codes'), 'policy_denied');
  writeConfig('not a list');
  await gateway.approvals.reloader!.reload();
  assert.equal(gateway.approvals.reloader!.digest, inForce);
  assert.equal(await ask('tell me the launch codes'), 'policy_denied');
});
