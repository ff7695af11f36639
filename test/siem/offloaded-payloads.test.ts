// Payloads kept in object storage reach a SIEM as the ledger vouches for them. An attacker who can
// write the object folder but not the database replaces one event's object and deletes another's:
// the sink must be told which payload was altered and which is missing, never shown either as a
// retention purge (nor as the payload). Real SQLite store offloading to a real folder, the real
// SIEM service delivering to a file sink.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { configSchema } from '../../src/protocols/index.js';
import { SiemService } from '../../src/siem/siem-service.js';
import { openStore } from '../../src/store/index.js';
import { objectKeyFor } from '../../src/store/objects/object-key.js';
import { draft, recorderFor } from '../store/conformance-support.js';
import { waitFor } from './collectors.js';

const big = (tag: string) => ({ prompt: `${tag}:${'x'.repeat(4096)}` });

test('a replaced object is delivered as altered, a deleted one as missing, neither as purged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-siem-offloaded-'));
  const config = configSchema.parse({
    append_in_worker: false,
    payloads: { offload_above: 1024 },
    siem: { poll: 50, max_backoff: 100, sinks: [{ name: 'archive', type: 'file', path: 'events.jsonl' }] },
  });
  const store = await openStore(config, dir);
  let siem: SiemService | undefined;
  try {
    const recorder = await recorderFor(store);
    const objectOf = (payloadHash: string) => join(dir, 'payloads', objectKeyFor(payloadHash));
    const replaced = await recorder.append(draft('s', 0, { payload: big('replaced') }), 'llm');
    const deleted = await recorder.append(draft('s', 1, { payload: big('deleted') }), 'llm');
    await recorder.append(draft('s', 2, { payload: big('kept') }), 'llm');
    await recorder.append(draft('s', 3, { payload: { prompt: 'inline' } }), 'llm');
    // Valid JSON: before the log reader checked objects, a sink forwarded this as the payload.
    writeFileSync(objectOf(replaced.payloadHash), canonicalJson({ prompt: 'forged answer' }));
    rmSync(objectOf(deleted.payloadHash));

    siem = new SiemService({
      config: config.siem,
      dataDir: dir,
      source: store.eventSource,
      ledgerSize: () => 4,
      resolveSecret: () => '',
      resolvePath: (path) => join(dir, path),
      onError: (_sink, message) => assert.fail(message),
    });
    siem.start();
    await waitFor('the four events to be delivered', () => siem!.status()[0]!.cursor === 4);
    const documents = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { vigil: Record<string, unknown> });
    const flags = documents.map(({ vigil }) => ({
      payload: vigil.payload === null ? null : 'present',
      purged: vigil.payload_purged ?? false,
      missing: vigil.payload_missing ?? false,
      altered: vigil.payload_altered ?? false,
    }));
    assert.deepEqual(flags, [
      { payload: null, purged: false, missing: false, altered: true },
      { payload: null, purged: false, missing: true, altered: false },
      { payload: 'present', purged: false, missing: false, altered: false },
      { payload: 'present', purged: false, missing: false, altered: false },
    ]);
    assert.deepEqual(documents[2]!.vigil.payload, big('kept'));
    assert.ok(!JSON.stringify(documents).includes('forged answer'));
  } finally {
    await siem?.stop(1000);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
