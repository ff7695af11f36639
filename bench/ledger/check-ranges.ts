// What one verification worker does per range, in this one thread: read 1,000 events through the
// log reader a worker opens (as verify-worker.ts does), check them (verify-range.ts checkRange) and
// serialise the answer as postMessage would. CPU per event here is what limits `vigil verify` (two workers on two cores), without the
// threads, the stitching or the machine's other work in the figure; under callgrind it is an
// instruction count that repeats to about 0.3% whatever the load:
//   npx tsc -p tsconfig.json --noEmit false --outDir dist/all
//   node dist/all/bench/ledger/run.js 200000 --verify-only --ledger DIR --repeat 1   (builds DIR once)
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg-1.out node --single-threaded \
//     dist/all/bench/ledger/check-ranges.js DIR 20000 1          (and again with 5 passes: 5 instead of 1)
// (I(5 passes) - I(1 pass)) / 80,000 is the steady cost per event: the first pass carries start-up
// and most of the compiling. --single-threaded keeps V8's background threads out of the count.
// Run: node dist/all/bench/ledger/check-ranges.js DIR [events] [passes] [range]
import { serialize } from 'node:v8';
import type { OpenedEventSource } from '../../src/core/ports.js';
import { EventHashes } from '../../src/ledger/event-hashes.js';
import { PurgeCoverage } from '../../src/ledger/purge-record.js';
import { checkRange } from '../../src/ledger/verify-range.js';
import { eventSourceOpener } from '../../src/store/event-source-opener.js';

const [dir, eventsArg = '20000', passesArg = '1', rangeArg = '1000'] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: check-ranges.js DIR [events] [passes] [range]');
const events = Number(eventsArg);
const range = Number(rangeArg);
// As `vigil verify` and bench/ledger/run.ts open a worker's reader of a SQLite store in DIR.
const reader = eventSourceOpener(
  { store: { type: 'sqlite' }, durability: 'normal', append_in_worker: false },
  dir,
  dir,
);
const opened = await (
  import(reader.module) as Promise<{ openEventSource(data: unknown): Promise<OpenedEventSource> }>
).then((m) => m.openEventSource(reader.data));
const hashes = new EventHashes();
for (let pass = 0; pass < Number(passesArg); pass++) {
  const before = process.cpuUsage();
  let answered = 0;
  for (let start = 0; start < events; start += range) {
    const rows = await opened.source.readEvents(start, Math.min(range, events - start));
    const check = checkRange(rows, start, {
      depth: {},
      hashes,
      coverage: new PurgeCoverage([]),
      generation: 0,
      checkpointSizes: [],
    });
    if (check.vouched === null) throw new Error(`the range from ${start} was not vouched for`);
    answered += serialize(check).length;
  }
  const used = process.cpuUsage(before);
  console.log(
    `pass ${pass + 1}: ${((used.user + used.system) / events).toFixed(2)} µs of CPU per event, answers ${(answered / events).toFixed(0)} bytes per event`,
  );
}
await opened.close();
