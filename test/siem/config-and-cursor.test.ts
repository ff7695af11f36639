// The `siem` section of vigil.yaml and the cursor file: what is refused at load, and a cursor that
// survives a torn temporary file and refuses a corrupt one rather than starting over at 0, and one
// past the end of the ledger is reported in the status.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { CursorFile } from '../../src/siem/cursor-file.js';
import { siemCursorDir } from '../../src/siem/siem-service.js';
import { startTestGateway } from '../support/gateway.js';
import { waitFor } from './collectors.js';

const parse = (siem: unknown) => configSchema.safeParse({ siem });

test('siem sinks: defaults, and what the schema refuses', () => {
  const ok = parse({ sinks: [{ name: 'a', type: 'http', url: 'https://siem.example/x' }] });
  assert.equal(ok.success, true);
  const sink = ok.data!.siem.sinks[0]!;
  assert.equal(sink.format, 'ecs');
  assert.equal(sink.batch_size, 500);
  assert.equal(ok.data!.siem.flush_timeout, 5000);

  const refused = [
    // a header value inlined instead of referenced
    {
      sinks: [
        { name: 'a', type: 'http', url: 'https://x.example', headers: { Authorization: 'Bearer abc' } },
      ],
    },
    { sinks: [{ name: 'a', type: 'http', url: 'ftp://x.example' }] },
    {
      sinks: [
        { name: 'a', type: 'file', path: '/tmp/x' },
        { name: 'a', type: 'file', path: '/tmp/y' },
      ],
    },
    { sinks: [{ name: '../escape', type: 'file', path: '/tmp/x' }] },
    { sinks: [{ name: 'a', type: 'syslog', host: 'h', port: 70000 }] },
    { sinks: [{ name: 'a', type: 'kafka' }] },
    { sinks: [{ name: 'a', type: 'file', path: '/tmp/x', format: 'ocsf' }] },
  ];
  for (const siem of refused) assert.equal(parse(siem).success, false, JSON.stringify(siem));
});

test('cursor file: 0 when absent, the written value after, a torn temp file ignored, corrupt refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cursor-'));
  const cursor = new CursorFile(join(dir, 'siem'), 'splunk');
  assert.equal(cursor.read(), 0);
  await cursor.write(1234);
  assert.equal(cursor.read(), 1234);
  // A crash during the next write leaves its temp file half written: the cursor is still the last one.
  writeFileSync(`${cursor.path}.tmp`, '{"next_ind');
  assert.equal(cursor.read(), 1234);
  await cursor.write(1300);
  assert.equal(new CursorFile(join(dir, 'siem'), 'splunk').read(), 1300);
  // Corruption must not silently restart delivery from 0 (or skip ahead).
  writeFileSync(cursor.path, '{"next_index": -5}');
  assert.throws(() => cursor.read(), /no valid next_index/);
});

test('a cursor past the end of the ledger is reported, not skipped over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cursor-past-'));
  await new CursorFile(siemCursorDir(dir), 'late').write(1000);
  const gateway = await startTestGateway(
    { siem: { poll: 50, sinks: [{ name: 'late', type: 'file', path: join(dir, 'out.jsonl') }] } },
    dir,
  );
  try {
    await waitFor('the status to say so', () => gateway.siem.status()[0]!.last_error !== null);
    const [status] = gateway.siem.status();
    assert.match(status!.last_error!, /cursor \(1000\) is past the end of the ledger/);
    assert.equal(status!.cursor, 1000);
  } finally {
    await gateway.close();
  }
});
