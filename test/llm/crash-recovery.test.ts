// The gateway is killed with SIGKILL under sustained load. After a restart, every response a client
// received is in the ledger with its response, sessions cut short are closed as crash-recovered,
// and the ledger's chains are intact.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { anchorPath, readAnchorText } from '../../src/ledger/anchor.js';
import { chainHash, GENESIS_HASH } from '../../src/ledger/chain.js';
import { loadKeyring } from '../../src/ledger/keyring.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';

let model: DemoModel | undefined;
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await model?.close();
});

async function spawnGateway(
  settings: Record<string, unknown>,
  dataDir: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/gateway-process.ts', JSON.stringify({ settings, dataDir })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

test('SIGKILL under load loses no delivered response', { timeout: 120_000 }, async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  const settings = {
    log_level: 'silent',
    identities: TEST_IDENTITIES,
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
  };
  const { child, url } = await spawnGateway(settings, dataDir);

  const delivered: { requestId: string; marker: string; text: string }[] = [];
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const marker = `w${w}-q${i}`;
      try {
        const res = await fetch(`${url}/c/oa/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${TOKENS.alice}`,
            'content-type': 'application/json',
            'x-vigil-session': `run-${w}`,
          },
          body: JSON.stringify({
            model: 'demo',
            stream: i % 2 === 0,
            messages: [{ role: 'user', content: marker }],
          }),
        });
        const text = await res.text();
        if (res.status === 200 && (text.includes('[DONE]') || text.includes('"choices"'))) {
          delivered.push({ requestId: res.headers.get('x-vigil-request-id')!, marker, text });
        }
      } catch {
        return; // the gateway died under this request
      }
    }
  };
  const workers = Array.from({ length: 8 }, (_, w) => worker(w));
  // Kill under load: at least 1.5 s in and 21 responses delivered (a loaded machine takes longer).
  const started = Date.now();
  while ((Date.now() - started < 1500 || delivered.length <= 20) && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(delivered.length > 20, `enough load before the kill (${delivered.length} responses)`);

  // Restart on the same data directory: sessions cut short are closed.
  const restarted = await spawnGateway(settings, dataDir);
  restarted.child.kill('SIGTERM');
  await new Promise((r) => restarted.child.once('exit', r));

  const stores = await openStore(configSchema.parse({ append_in_worker: false }), dataDir);
  const store = stores.ledger;
  try {
    const report = await verifyLedger(stores.eventSource, await store.listCheckpoints(), {
      keyring: loadKeyring(dataDir),
      anchorText: readAnchorText(anchorPath(dataDir)),
    });
    assert.equal(report.fault, null, `vigil verify after the crash: ${JSON.stringify(report.fault)}`);
    assert.equal(report.ok, true);
    const responses = new Map<string, unknown>();
    const sessions = await store.listSessions({ limit: 10_000 });
    for (const s of sessions) {
      const events = await store.readSession(s.id);
      let prev = GENESIS_HASH;
      for (const e of events) {
        assert.equal(e.prevHash, prev, `chain of ${s.id} intact at seq ${e.seq}`);
        assert.equal(e.hash, chainHash(prev, e));
        prev = e.hash;
        if (e.type === 'llm.response') responses.set(String(e.payload?.requestId), e.payload);
      }
      assert.equal(events.at(-1)?.type, 'session.end', `session ${s.id} is closed after the restart`);
    }
    for (const d of delivered)
      assert.ok(responses.has(d.requestId), `response to ${d.marker} (${d.requestId}) is recorded`);
    assert.ok(
      (await Promise.all(sessions.map((s) => store.readSession(s.id)))).some((events) =>
        events.some((e) => e.type === 'session.end' && e.payload?.reason === 'crash-recovered'),
      ),
      'sessions cut short by the crash are closed as crash-recovered',
    );
  } finally {
    await stores.close();
  }
});
