// One writer of the scale-out benchmark, in a process of its own as a gateway replica would be:
// opens the store the configuration names, starts a recorder, says it is ready, and on "go" (a line
// on stdin) appends its events from many concurrent appenders in many sessions, then prints its
// figures as one JSON line.
// Run by bench/scale/run.ts: node --import tsx bench/scale/writer.ts CONFIG_JSON DATA_DIR WRITER EVENTS
import { createInterface } from 'node:readline';
import type { EventDraft } from '../../src/core/events.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';

const [configJson, dataDir, writerArg, eventsArg] = process.argv.slice(2);
const writer = Number(writerArg);
const EVENTS = Number(eventsArg);
const APPENDERS = 256;
const SESSIONS = 500;

export interface WriterResult {
  readonly writer: number;
  readonly events: number;
  readonly failed: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly cpuMs: number;
  /** Transactions committed, and the time they took in all (assigning, writing, committing). */
  readonly commits: number;
  readonly commitMs: number;
}

function draft(i: number): EventDraft {
  const session = i % SESSIONS;
  return {
    type: 'llm.request',
    sessionId: `w${writer}-bench-${session}`,
    connection: 'openai',
    identity: {
      subject: `user${session % 50}@example.com`,
      kind: 'user',
      groups: ['ai-eng'],
      tokenId: 'tok',
    },
    time: new Date().toISOString(),
    payload: {
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: `request number ${i}: summarise the quarterly report in three bullet points`,
        },
      ],
      stream: false,
    },
  };
}

const store = await openStore(configSchema.parse(JSON.parse(configJson!)), dataDir!);
const recorder = new Recorder(store.ledger);
await recorder.init();
let commits = 0;
let commitMs = 0;
recorder.onCommit((_events, seconds) => {
  commits++;
  commitMs += seconds * 1000;
});
console.log(JSON.stringify({ ready: true }));
const input = createInterface({ input: process.stdin });
await new Promise((resolve) => input.once('line', resolve));
input.close();

let next = 0;
let failed = 0;
const cpu0 = process.cpuUsage();
const startedAt = performance.timeOrigin + performance.now();
await Promise.all(
  Array.from({ length: APPENDERS }, async () => {
    while (next < EVENTS) {
      const i = next++;
      await recorder.append(draft(i), 'llm').catch(() => failed++);
    }
  }),
);
const endedAt = performance.timeOrigin + performance.now();
const cpu = process.cpuUsage(cpu0);
const result: WriterResult = {
  writer,
  events: EVENTS,
  failed,
  startedAt,
  endedAt,
  cpuMs: (cpu.user + cpu.system) / 1000,
  commits,
  commitMs,
};
console.log(JSON.stringify(result));
await store.close();
