// A gateway on PostgreSQL with large payloads in S3 (s3rver), end to end: a large prompt is recorded
// with its payload in an object (the row keeps only its key), `vigil replay` and the admin API show it
// whole, `vigil verify` passes; an object altered or deleted in the bucket is reported by `vigil
// verify` naming its event; with the object store down, a request that needs an object is refused
// (record_failed, 503) and never reaches the model. And on SQLite with the folder default, a large SQL
// result is kept as a file whose editing `vigil verify` names.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { RawEventRow } from '../../src/core/ports.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { OffloadingStoreBundle } from '../../src/store/offloading-store.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  closeSharedTestPostgres,
  sharedTestPostgres,
  targetDatabaseConnection,
} from '../support/postgres-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const PREFIX = 'ledger/';
let model: DemoModel | undefined;
let gateway: TestGateway | undefined;
let s3: TestS3 | undefined;

afterEach(async () => {
  await gateway?.close().catch(() => undefined);
  await model?.close();
  await s3?.close();
  gateway = undefined;
  model = undefined;
  s3 = undefined;
});
after(() => closeSharedTestPostgres());

async function setup(): Promise<{ model: DemoModel; gateway: TestGateway; s3: TestS3 }> {
  s3 = await startTestS3();
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway(
    {
      on_record_failure: 'fail-closed',
      payloads: { offload_above: '2KiB', objects: s3.objectsSection(PREFIX) },
      connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
    },
    undefined,
    { store: 'postgres' },
  );
  return { model, gateway, s3 };
}

const ask = (gw: TestGateway, content: string, session: string) =>
  fetch(`${gw.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      'x-vigil-session': session,
    },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] }),
  });

/** A configuration file as an operator writes it for the CLI: the same store and object storage. */
function cliConfig(gw: TestGateway, s3Server: TestS3): string {
  const file = join(gw.dataDir, 'cli.yaml');
  const store = gw.postgresStore!.section;
  const objects = s3Server.objectsSection(PREFIX);
  writeFileSync(
    file,
    [
      `data: ${gw.dataDir}`,
      'store:',
      '  type: postgres',
      `  url: ${store.url}`,
      `  schema: ${store.schema}`,
      'payloads:',
      '  offload_above: 2KiB',
      '  objects:',
      ...Object.entries(objects).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
      '',
    ].join('\n'),
  );
  return file;
}

async function cliVerify(file: string): Promise<{ code: number | null; report: Record<string, unknown> }> {
  const run = await runCli(['--config', file, 'verify', '--json']);
  assert.doesNotMatch(run.stdout + run.stderr, /S3RVER/, 'the object store credentials are never printed');
  return { code: run.code, report: JSON.parse(run.stdout) as Record<string, unknown> };
}

/** The rows as PostgreSQL holds them, below the object storage. */
async function storedRows(gw: TestGateway): Promise<RawEventRow[]> {
  assert.ok(gw.store instanceof OffloadingStoreBundle);
  return [...(await gw.store.inner.eventSource.readEvents(0, 10_000))];
}

function bucketClient(s3Server: TestS3): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: s3Server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

test('a large prompt is kept in S3, read back whole, verified; an altered or deleted object is named', async () => {
  const { model, gateway, s3 } = await setup();
  const prompt = `summarise this: ${'the quick brown fox jumps over the lazy dog. '.repeat(200)}`;
  assert.equal((await ask(gateway, 'hello', 'run-small')).status, 200);
  assert.equal((await ask(gateway, prompt, 'run-large')).status, 200);
  assert.equal(model.requests.length, 2);
  await gateway.recorder.drain();
  await gateway.checkpointer.checkpointNow();

  const rows = await storedRows(gateway);
  const requests = rows.filter((r) => r.type === 'llm.request');
  assert.equal(requests.length, 2);
  const large = requests.find((r) => r.payload === null)!;
  assert.equal(large.payload, null, 'the row holds no payload text');
  assert.match(large.payloadObject ?? '', /^sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  assert.ok(large.payloadObject!.endsWith(large.payloadHash), 'the key is the payload hash');
  const small = requests.find((r) => r.payload !== null)!;
  assert.ok(small.payload!.includes('hello'), 'a small payload stays in the row');
  assert.equal(small.payloadObject, null);
  const object = await fetch(`${s3.endpoint}/${s3.bucket}/${PREFIX}${large.payloadObject}`);
  assert.equal(object.status, 200, 'the object is in the bucket');
  const objectText = await object.text();
  assert.ok(objectText.includes('the lazy dog'));

  // Readers: the admin API and `vigil replay` show the whole prompt.
  const api = await fetch(`${gateway.url}/api/sessions/${large.sessionId}/events`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(api.status, 200);
  const apiText = await api.text();
  assert.ok(apiText.includes('the lazy dog. the quick brown fox'), 'the API shows the payload');
  const file = cliConfig(gateway, s3);
  const replay = await runCli(['--config', file, 'replay', large.sessionId, '--json']);
  assert.equal(replay.code, 0, replay.stderr);
  const replayed = JSON.parse(replay.stdout) as { events: { type: string; payload: unknown }[] };
  const request = replayed.events.find((e) => e.type === 'llm.request')!;
  assert.ok(JSON.stringify(request.payload).includes(prompt.slice(0, 200)));

  const intact = await cliVerify(file);
  assert.equal(intact.code, 0, JSON.stringify(intact.report));
  assert.equal(intact.report.ok, true);

  // A bundle carries the payload inline: it verifies without the database or the bucket.
  const bundleFile = join(gateway.dataDir, 'large.bundle.json');
  const exported = await runCli(['--config', file, 'export', large.sessionId, '-o', bundleFile]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(readFileSync(bundleFile, 'utf8').includes('the lazy dog'), 'the payload is in the bundle');
  const bundleCheck = await runCli(['verify', '--bundle', bundleFile, '--json']);
  assert.equal(bundleCheck.code, 0, bundleCheck.stdout + bundleCheck.stderr);

  // Someone with access to the bucket replaces the object.
  const client = bucketClient(s3);
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: PREFIX + large.payloadObject,
        Body: objectText.replace('lazy dog', 'lazy cat'),
      }),
    );
    const altered = await cliVerify(file);
    assert.equal(altered.code, 1);
    const fault = altered.report.fault as Record<string, unknown>;
    assert.equal(fault.kind, 'payload_mismatch');
    assert.equal(fault.index, large.index);
    assert.equal(fault.sessionId, large.sessionId);
    assert.equal(fault.seq, large.seq);
    const human = await runCli(['--config', file, 'verify']);
    assert.equal(human.code, 1);
    assert.match(
      human.stdout + human.stderr,
      new RegExp(`event ${large.index}.*session ${large.sessionId} seq ${large.seq}`),
    );

    await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: PREFIX + large.payloadObject }));
    const deleted = await cliVerify(file);
    assert.equal(deleted.code, 1);
    const gone = deleted.report.fault as Record<string, unknown>;
    assert.equal(gone.kind, 'payload_object_missing');
    assert.equal(gone.index, large.index);
    assert.equal(gone.sessionId, large.sessionId);
  } finally {
    client.destroy();
  }
});

test('the object store goes away: a request that needs an object is refused and never reaches the model', async () => {
  const { model, gateway, s3 } = await setup();
  assert.equal((await ask(gateway, 'warm-up', 'run-a')).status, 200);
  await gateway.recorder.drain();
  const before = await gateway.store.ledger.ledgerSize();
  const seen = model.requests.length;
  await s3.stop();
  const res = await ask(gateway, `a long one: ${'x'.repeat(8 * 1024)}`, 'run-b');
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
  assert.equal(model.requests.length, seen, 'nothing reached the model');
  await gateway.recorder.drain();
  const rows = await storedRows(gateway);
  assert.equal(
    rows.filter((r) => r.type === 'llm.request').length,
    1,
    'the refused request is not in the ledger',
  );
  assert.ok(rows.length >= before);
  // Small payloads need no object: service goes on for them.
  assert.equal((await ask(gateway, 'short', 'run-c')).status, 200);
  assert.equal(model.requests.length, seen + 1);
  await assertLedgerVerifies(gateway);
});

test('on SQLite with the folder default, a large SQL result is kept as a file; an edited file is named', async () => {
  const server = await sharedTestPostgres();
  gateway = await startTestGateway({
    payloads: { offload_above: '4KiB' },
    connections: [targetDatabaseConnection(server, { record_rows: 20 })],
  });
  const [host, port] = gateway.listeners.find((l) => l.connection === 'db')!.address.split(':');
  const client = new pg.Client({
    host,
    port: Number(port),
    user: 'alice',
    database: 'postgres',
    password: TOKENS.alice,
  });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT g AS n, repeat('row text ', 200) AS body FROM generate_series(1, 200) g",
    );
    assert.equal(rows.length, 200);
  } finally {
    await client.end();
  }
  await gateway.recorder.drain();
  await gateway.checkpointer.checkpointNow();
  const offloaded = (await storedRows(gateway)).filter((r) => r.payloadObject);
  assert.ok(offloaded.length >= 1, 'the result is kept as an object');
  const row = offloaded[0]!;
  const objectFile = join(gateway.dataDir, 'payloads', row.payloadObject!);
  const text = readFileSync(objectFile, 'utf8');
  assert.ok(text.includes('row text'));

  const file = join(gateway.dataDir, 'cli.yaml');
  writeFileSync(file, `data: ${gateway.dataDir}\npayloads: { offload_above: 4KiB }\n`);
  const intact = await cliVerify(file);
  assert.equal(intact.code, 0, JSON.stringify(intact.report));
  writeFileSync(objectFile, text.replace('row text', 'row TEXT'));
  const edited = await cliVerify(file);
  assert.equal(edited.code, 1);
  const fault = edited.report.fault as Record<string, unknown>;
  assert.equal(fault.kind, 'payload_mismatch');
  assert.equal(fault.index, row.index);
  assert.equal(fault.sessionId, row.sessionId);
  assert.equal(fault.seq, row.seq);
});
