// Loaded with `--import` into a bench party (bench/llm-proxy/tail.ts sets VIGIL_BENCH_NODE_FLAGS):
// prints each stall of the party's main thread as a {"stall": ...} line on stdout, which the
// process that spawned it reads.
import { basename } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { watchStalls } from './stall-probe.js';

if (isMainThread)
  watchStalls(basename(process.argv[1] ?? 'party', '.ts'), (stall) =>
    process.stdout.write(`${JSON.stringify({ stall })}\n`),
  );
