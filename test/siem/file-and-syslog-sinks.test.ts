// The file sink and the syslog sinks (TCP with octet counting, and TLS with a self-signed
// certificate made in the test) against a real gateway with traffic from the official openai
// client: the file's JSON lines equal the ledger across a logrotate-style move, each syslog frame is
// an RFC 5424 message whose MSG equals the ledger's event, and the prompt's secret reaches none of
// them unmasked.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { VIGIL_SD_ID } from '../../src/siem/syslog-sink.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertDeliveredEqualsLedger, ledgerRows, waitFor } from './collectors.js';
import { SyslogCollector, selfSignedCert } from './syslog-collector.js';

const UPSTREAM_KEY = 'sk-upstream-siem-file-test-key-0002';
const PROMPT_SECRET = 'ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c';

let model: DemoModel;
let gateway: TestGateway;
let client: OpenAI;
let tcp: SyslogCollector;
let tls: SyslogCollector;
let outDir: string;
let filePath: string;

before(async () => {
  process.env.VIGIL_TEST_SIEM_FILE_UPSTREAM_KEY = UPSTREAM_KEY;
  model = await startDemoModel({ apiKey: UPSTREAM_KEY });
  const cert = selfSignedCert();
  tcp = new SyslogCollector();
  tls = new SyslogCollector(cert);
  const [tcpPort, tlsPort] = [await tcp.start(), await tls.start()];
  outDir = mkdtempSync(join(tmpdir(), 'vigil-siem-out-'));
  filePath = join(outDir, 'events.jsonl');
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SIEM_FILE_UPSTREAM_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    siem: {
      poll: 100,
      max_backoff: 400,
      sinks: [
        { name: 'archive', type: 'file', path: filePath, format: 'vigil', batch_size: 3 },
        {
          name: 'syslog-tcp',
          type: 'syslog',
          host: '127.0.0.1',
          port: tcpPort,
          format: 'ecs',
          batch_size: 5,
        },
        {
          name: 'syslog-tls',
          type: 'syslog',
          host: '127.0.0.1',
          port: tlsPort,
          tls: true,
          ca: cert.certFile,
          format: 'vigil',
        },
      ],
    },
  });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await tcp?.stop();
  await tls?.stop();
  await model?.close();
});

async function chat(i: number): Promise<void> {
  const content = i % 4 === 1 ? `use ${PROMPT_SECRET} for the repo (${i})` : `Say hello ${i}.`;
  await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content }] });
}

function allCaughtUp(): boolean {
  return gateway.siem.status().every((s) => s.lag === 0 && s.cursor === gateway.recorder.size);
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('file, syslog over TCP and syslog over TLS each hold the ledger, secrets masked', async () => {
  for (let i = 0; i < 8; i++) await chat(i);
  await waitFor('the first part to be archived', () => gateway.siem.status()[0]!.lag === 0);
  // logrotate moves the file away and signals: the sink reopens the path.
  const rotated = `${filePath}.1`;
  renameSync(filePath, rotated);
  process.emit('SIGHUP');
  for (let i = 8; i < 16; i++) await chat(i);
  await waitFor('every sink to catch up', allCaughtUp);
  const rows = await ledgerRows(gateway);
  // "Caught up" for syslog means the kernel took the bytes: wait for the collectors to read them.
  for (const collector of [tcp, tls])
    await waitFor('the collector to read the last frame', () => hasIndex(collector, rows.length - 1));

  assert.ok(existsSync(filePath), 'the sink reopened the path after the move');
  const archived = [
    ...jsonLines(readFileSync(rotated, 'utf8')),
    ...jsonLines(readFileSync(filePath, 'utf8')),
  ];
  assertDeliveredEqualsLedger([archived], rows);

  for (const collector of [tcp, tls]) {
    assert.deepEqual(collector.errors, []);
    for (const m of collector.messages) {
      assert.equal(m.appName, 'vigil');
      assert.equal(m.structuredData?.id, VIGIL_SD_ID);
      const document = JSON.parse(m.msg) as Record<string, unknown>;
      const index = (document.vigil as { index?: number } | undefined)?.index ?? document.index;
      assert.deepEqual(m.structuredData?.params, [['index', String(index)]]);
      assert.equal(m.msgId, rows[index as number]!.type);
    }
    assertDeliveredEqualsLedger(
      [collector.messages.map((m) => JSON.parse(m.msg) as Record<string, unknown>)],
      rows,
    );
  }
  // Facility 13 (log audit), severity informational for a model request.
  const request = tcp.messages.find((m) => m.msgId === 'llm.request')!;
  assert.equal(request.pri, 13 * 8 + 6);

  const outputs = [readFileSync(rotated, 'utf8'), readFileSync(filePath, 'utf8'), tcp.raw, tls.raw];
  assert.ok(
    rows.some((r) => r.payload?.includes('use ') ?? false),
    'the prompts with the secret were recorded',
  );
  for (const output of outputs) assert.ok(!output.includes(PROMPT_SECRET), 'a sink holds the prompt secret');
});

test('the syslog sink reconnects after its collector went away and came back on the same port', async () => {
  const collector = new SyslogCollector();
  const port = await collector.start();
  const g = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SIEM_FILE_UPSTREAM_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    siem: {
      poll: 100,
      max_backoff: 300,
      sinks: [{ name: 'tcp', type: 'syslog', host: '127.0.0.1', port, format: 'vigil' }],
    },
  });
  const c = new OpenAI({ baseURL: `${g.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const say = (i: number) =>
    c.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: `Hi ${i}.` }] });
  try {
    await say(0);
    await waitFor('the first events', () => g.siem.status()[0]!.lag === 0 && collector.messages.length > 0);
    await collector.stop();
    await say(1);
    await waitFor('the outage to show', () => g.siem.status()[0]!.consecutive_failures > 0);
    assert.ok(g.siem.status()[0]!.lag > 0, 'events wait while the collector is away');
    const back = new SyslogCollector();
    await back.start(port);
    await say(2);
    await waitFor('the sink to catch up on the new connection', () => g.siem.status()[0]!.lag === 0);
    const rows = await ledgerRows(g);
    await waitFor('the collector to read the last frame', () => hasIndex(back, rows.length - 1));
    // Syslog acknowledges nothing: what the kernel took before the old socket's close was seen is
    // gone, so only what was recorded after the reconnect is checked, exactly.
    const after = back.messages.map((m) => JSON.parse(m.msg) as { index: number; hash: string });
    const first = after[0]!.index;
    assert.deepEqual(
      after.map((d) => [d.index, d.hash]),
      rows.slice(first).map((r) => [r.index, r.hash]),
    );
    const duringOutage = rows.findIndex(
      (r) => r.type === 'llm.request' && (r.payload?.includes('Hi 1.') ?? false),
    );
    assert.ok(
      first <= duringOutage,
      'what was recorded while the collector was away arrives after it is back',
    );
    await back.stop();
  } finally {
    await g.close();
  }
});

/** Whether the collector has read the event at this index (either format). */
function hasIndex(collector: SyslogCollector, index: number): boolean {
  return collector.messages.some((m) => m.structuredData?.params[0]?.[1] === String(index));
}
