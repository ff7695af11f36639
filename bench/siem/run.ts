// SIEM forwarding benchmark: a SQLite ledger of N events is streamed from index 0 to a local HTTP
// collector and to a file, in ECS, batches of 500; prints events per second per sink and how long
// the event loop was held meanwhile (what a client of the same gateway would feel).
// Run: node --import tsx bench/siem/run.ts [events]
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Recorder } from '../../src/ledger/recorder.js';
import { configSchema } from '../../src/protocols/index.js';
import { SiemService } from '../../src/siem/siem-service.js';
import { openStore } from '../../src/store/index.js';

const EVENTS = Number(process.argv[2] ?? 50_000);
const dir = mkdtempSync(join(tmpdir(), 'vigil-siem-bench-'));
let received = 0;
const collector = createServer((req, res) => {
  let lines = 0;
  req.on('data', (c: Buffer) => {
    for (const byte of c) if (byte === 0x0a) lines++;
  });
  req.on('end', () => {
    received += lines;
    res.end('{}');
  });
});
await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
const port = (collector.address() as { port: number }).port;

const config = configSchema.parse({
  data: dir,
  siem: {
    sinks: [
      { name: 'http', type: 'http', url: `http://127.0.0.1:${port}/`, format: 'ecs', batch_size: 500 },
      { name: 'file', type: 'file', path: join(dir, 'events.jsonl'), format: 'ecs', batch_size: 500 },
    ],
  },
});
const store = await openStore(config, dir);
const recorder = new Recorder(store.ledger);
await recorder.init();
for (let i = 0; i < EVENTS; i += 1000) {
  await Promise.all(
    Array.from({ length: Math.min(1000, EVENTS - i) }, (_, k) =>
      recorder.append(
        {
          type: 'llm.request',
          sessionId: `bench-${(i + k) % 200}`,
          connection: 'openai',
          identity: { subject: `user${(i + k) % 50}@example.com`, kind: 'user', groups: ['ai-eng'] },
          time: new Date().toISOString(),
          payload: {
            model: 'gpt-4o-mini',
            messages: [
              { role: 'user', content: `request ${i + k}: summarise the quarterly report in three bullets` },
            ],
          },
        },
        'llm',
      ),
    ),
  );
}

// The same measure with nothing to forward first: on a shared machine the loop is delayed anyway.
const idle = monitorEventLoopDelay({ resolution: 1 });
idle.enable();
await new Promise((r) => setTimeout(r, 3000));
idle.disable();
const loop = monitorEventLoopDelay({ resolution: 1 });
const siem = new SiemService({
  config: config.siem,
  dataDir: dir,
  source: store.eventSource,
  ledgerSize: () => recorder.size,
  resolveSecret: () => '',
  resolvePath: (p) => p,
  onError: (sink, message) => console.error(sink, message),
});
const started = performance.now();
const done = new Map<string, number>();
loop.enable();
siem.start();
while (done.size < 2) {
  await new Promise((r) => setTimeout(r, 5));
  for (const s of siem.status())
    if (s.cursor === EVENTS && !done.has(s.name)) done.set(s.name, performance.now());
}
loop.disable();
await siem.stop(1000);
for (const [name, at] of done) {
  const seconds = (at - started) / 1000;
  console.log(
    `${name}: ${EVENTS} events in ${seconds.toFixed(2)} s = ${Math.round(EVENTS / seconds)} events/s`,
  );
}
console.log(`http collector received ${received} lines`);
console.log(
  `event loop delay, idle baseline: p50 ${(idle.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms, max ${(idle.max / 1e6).toFixed(1)} ms`,
);
console.log(
  `event loop delay while forwarding: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
);
await store.close();
collector.close();
rmSync(dir, { recursive: true, force: true });
