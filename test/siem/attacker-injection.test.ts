// Recorded text reaches a SIEM as JSON, and whoever writes a prompt chooses its characters. JSON's
// own escaping left some raw: the line and paragraph separators U+2028 and U+2029 and NEL (U+0085),
// which many line readers end a line at (Python's str.splitlines, JavaScript's multiline `$`,
// editors, some collectors' line splitting), so a prompt holding one followed by a JSON object was
// read as a second, forged event; the C1 controls, of which CSI (U+009B) and OSC (U+009D) clear a
// screen, retitle a window or write the clipboard in a terminal that reads them (an analyst running
// `tail -f` on the archive); and bidi overrides and zero-width characters, which reorder or hide
// text in whatever shows the line. Every sink's line now holds each of them as a JSON `\u` escape:
// one line per event whatever splits it, nothing a terminal acts on, and the same value once parsed.
// Real gateway, the official openai client, the demo model; a file, an HTTP and a syslog sink.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { HIDDEN_OR_CONTROL } from '../../src/core/visible-text.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertDeliveredEqualsLedger, HttpCollector, ledgerRows, vigilPart, waitFor } from './collectors.js';
import { SyslogCollector } from './syslog-collector.js';

const UPSTREAM_KEY = 'sk-upstream-siem-attacker-test-0003';

/** A second event, as a line of its own: what a reader that ends lines at the separator would see. */
const FORGED = '{"index":0,"type":"access.granted","identity":{"subject":"root"},"forged":true}';
const PROMPT = [
  `hello\u2028${FORGED}\u2029${FORGED}\u0085${FORGED}`,
  'terminal \u009b2J\u009d0;pwned\u009c\u009d52;c;cm0gLXJmIH4=\u009c',
  'bidi \u202Egnp.exe\u202C zero\u200Bwidth \u2066isolate\u2069 bom\uFEFF',
].join(' ');

/** Every character some line reader ends a line at (Python's str.splitlines, the widest). */
const LINE_ENDS = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const HIDDEN = new RegExp(HIDDEN_OR_CONTROL.source, 'gu');

let model: DemoModel;
let gateway: TestGateway;
let http: HttpCollector;
let syslog: SyslogCollector;
let filePath: string;

before(async () => {
  process.env.VIGIL_TEST_SIEM_ATTACKER_KEY = UPSTREAM_KEY;
  model = await startDemoModel({ apiKey: UPSTREAM_KEY });
  http = new HttpCollector();
  await http.start();
  syslog = new SyslogCollector();
  const port = await syslog.start();
  filePath = join(mkdtempSync(join(tmpdir(), 'vigil-siem-attacker-')), 'events.jsonl');
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SIEM_ATTACKER_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    siem: {
      poll: 100,
      max_backoff: 400,
      sinks: [
        { name: 'archive', type: 'file', path: filePath, format: 'vigil' },
        { name: 'collector', type: 'http', url: http.url, format: 'ecs' },
        { name: 'syslog', type: 'syslog', host: '127.0.0.1', port, format: 'ecs' },
      ],
    },
  });
});

after(async () => {
  await gateway?.close();
  await http?.kill();
  await syslog?.stop();
  await model?.close();
});

/** The lines a reader that ends lines wherever some reader does would find, empty ones aside. */
function linesOf(text: string): string[] {
  return text.split(LINE_ENDS).filter((l) => l !== '');
}

test('recorded text cannot forge a SIEM event or reach an analyst’s terminal raw', async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: PROMPT }] });
  await waitFor('every sink to catch up', () =>
    gateway.siem.status().every((s) => s.lag === 0 && s.cursor === gateway.recorder.size),
  );
  const rows = await ledgerRows(gateway);
  await waitFor('the syslog collector to read the last frame', () => syslog.messages.length >= rows.length);
  assert.ok(
    rows.some((r) => r.payload?.includes(JSON.stringify(PROMPT).slice(1, -1)) ?? false),
    'the prompt was recorded as sent',
  );

  const file = readFileSync(filePath, 'utf8');
  const outputs: [string, string[]][] = [
    ['file', linesOf(file)],
    ['http', linesOf(http.raw)],
    ['syslog', syslog.messages.map((m) => m.msg)],
  ];
  for (const [sink, lines] of outputs) {
    // One line per event, however the receiver splits lines, and no forged one among them.
    assert.equal(lines.length, rows.length, `${sink}: one line per ledger event`);
    const documents = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(!documents.some((d) => vigilPart(d).forged === true), `${sink}: no forged event`);
    // Nothing a terminal acts on, nothing that reorders or hides text: all of it escaped.
    for (const line of lines)
      assert.deepEqual(line.match(HIDDEN) ?? [], [], `${sink}: raw control or format character`);
    // And the same values once parsed: the prompt as recorded, every event as the ledger holds it.
    assertDeliveredEqualsLedger([documents], rows);
    const request = documents.map(vigilPart).find((d) => d.type === 'llm.request')!;
    const messages = (request.payload as { body: { messages: { content: string }[] } }).body.messages;
    assert.equal(messages[0]!.content, PROMPT, sink);
  }
});
