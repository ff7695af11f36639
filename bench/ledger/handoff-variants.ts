// Ways to hand a batch to a writer thread that sleeps between batches, compared on the same
// round trip: the main thread sends a batch-shaped message, the worker makes one small write
// durable (8 kB pwrite + fdatasync, as a commit does) and answers with postMessage.
//   post     the store's way: postMessage, the worker's event loop wakes on it
//   futex    the worker blocks in Atomics.wait on a SharedArrayBuffer; the main thread queues the
//            message on a port nobody listens to and wakes the worker with Atomics.notify
//   spin:US  futex, but the worker polls the shared counter for US µs after each answer first
// Prints the send call's own time, the round trip, and the CPU of the main thread and the worker
// (Linux /proc), so a loaded machine can still be read.
//   node --import tsx bench/ledger/handoff-variants.ts post|futex|spin:US [messages] [--gap MS]
import { readdirSync, readFileSync } from 'node:fs';
import { MessageChannel, Worker } from 'node:worker_threads';
import { percentile } from '../support/stats.js';

const mode = process.argv[2] ?? 'post';
const messages = Number(process.argv[3] ?? 2_000);
const gapAt = process.argv.indexOf('--gap');
const gapMs = gapAt > 0 ? Number(process.argv[gapAt + 1]) : 1;
const spinUs = mode.startsWith('spin:') ? Number(mode.slice(5)) : 0;
const WARM_UP = 100;

const signal = new Int32Array(new SharedArrayBuffer(4));
const { port1, port2 } = new MessageChannel();
const worker = new Worker(
  `const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
   const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path');
   const file = path.join(os.tmpdir(), 'vigil-handoff-' + process.pid + '-' + Date.now());
   const fd = fs.openSync(file, 'w'); fs.unlinkSync(file);
   const page = Buffer.alloc(8192, 1);
   const commit = () => { fs.writeSync(fd, page, 0, page.length, 0); fs.fdatasyncSync(fd); };
   const { post, signal, port, spinUs } = workerData;
   if (post) parentPort.on('message', (m) => { commit(); parentPort.postMessage(m.id); });
   else {
     let seen = 0;
     for (;;) {
       if (spinUs > 0) {
         const until = performance.now() + spinUs / 1000;
         while (Atomics.load(signal, 0) === seen && performance.now() < until);
       }
       Atomics.wait(signal, 0, seen);
       seen = Atomics.load(signal, 0);
       if (seen < 0) break;
       for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
         commit();
         parentPort.postMessage(m.message.id);
       }
     }
   }`,
  { eval: true, workerData: { post: mode === 'post', signal, port: port2, spinUs }, transferList: [port2] },
);

/** utime + stime of every thread of this process but the main one, and of the main one, in µs. */
function threadCpu(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * 10_000;
    if (Number(tid) === process.pid) main += us;
    else others += us;
  }
  return { main, others };
}

const sends: number[] = [];
const rtts: number[] = [];
let before = threadCpu();
for (let i = 0; i < messages; i++) {
  if (i === WARM_UP) before = threadCpu();
  if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    const message = { id: i, batch: { events: [[i, 's', i, 'llm.request', 'x'.repeat(600)]] } };
    const s0 = performance.now();
    if (mode === 'post') worker.postMessage(message);
    else {
      port1.postMessage(message);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
    }
    sends.push(performance.now() - s0);
  });
  rtts.push(performance.now() - t0);
}
const after = threadCpu();
if (mode !== 'post') {
  Atomics.store(signal, 0, -1);
  Atomics.notify(signal, 0);
}
await worker.terminate();
port1.close();
const n = messages - WARM_UP;
const us = (ms: number) => (ms * 1000).toFixed(0);
const sorted = (values: number[]) => values.slice(WARM_UP).sort((a, b) => a - b);
console.log(
  `${mode}, ${gapMs > 0 ? `${gapMs} ms apart` : 'back to back'}: send call p50 ${us(percentile(sorted(sends), 50))} µs; round trip p50 ${us(percentile(sorted(rtts), 50))} µs, p99 ${us(percentile(sorted(rtts), 99))} µs; CPU per round trip: main thread ${((after.main - before.main) / n).toFixed(0)} µs, other threads ${((after.others - before.others) / n).toFixed(0)} µs`,
);
