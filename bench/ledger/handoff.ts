// The thread hand-off alone: a message to a worker thread and its answer, as the store sends a
// batch to the append worker and gets "ok" back, with no SQLite in between. Back to back, and with a
// pause between messages (the worker then sleeps between them, as in a gateway).
//   node --import tsx bench/ledger/handoff.ts [messages] [--gap MS]
import { Worker } from 'node:worker_threads';
import { percentile } from '../support/stats.js';

const messages = Number(process.argv[2] ?? 5_000);
const gapAt = process.argv.indexOf('--gap');
const gapMs = gapAt > 0 ? Number(process.argv[gapAt + 1]) : 0;
const WARM_UP = 100;
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, ok: true }));`,
  { eval: true },
);
const rtts: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < messages; i++) {
  if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    // A batch-shaped message: one row of about the size of a model request's event.
    worker.postMessage({ id: i, batch: { events: [[i, 's', i, 'llm.request', 'x'.repeat(600)]] } });
  });
  rtts.push(performance.now() - t0);
}
const cpu = process.cpuUsage(cpuBefore);
await worker.terminate();
const sorted = rtts.slice(WARM_UP).sort((a, b) => a - b);
const us = (v: number) => (v * 1000).toFixed(0);
console.log(
  `${messages - WARM_UP} round trips${gapMs > 0 ? `, ${gapMs} ms apart` : ', back to back'}: p50 ${us(percentile(sorted, 50))} µs, p99 ${us(percentile(sorted, 99))} µs; CPU per round trip (both threads) ${(((cpu.user + cpu.system) / messages) | 0).toString()} µs`,
);
