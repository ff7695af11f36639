// Runs every *.test.ts under src/ and test/ with Node's built-in test runner (TypeScript through tsx).
// Node 20's runner does not expand globs, so the files are collected here.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('src', collect('test', []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const summaryReporter = fileURLToPath(new URL('./failure-summary-reporter.mjs', import.meta.url));
const concurrency = process.env.VIGIL_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  // --test-force-exit: a file whose tests have all finished exits even if a failed hook left a server
  // open; without it one such file keeps the whole run waiting forever.
  [
    '--import',
    'tsx',
    '--test',
    '--test-force-exit',
    `--test-concurrency=${concurrency}`,
    // TAP as before, then a list of the failed tests after everything else.
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${summaryReporter}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  // ESBUILD_WORKER_THREADS=0: tsx transforms synchronously, which esbuild routes through a worker
  // whose call waits in Atomics.wait; under load that wait never ended once (a test file stuck in
  // its first import for 18 minutes, the run with it). Esbuild's per-call synchronous service, which
  // this selects, has no such wait (evanw/esbuild#2129, the workaround its author gives).
  { stdio: 'inherit', env: { ESBUILD_WORKER_THREADS: '0', ...process.env } },
);
process.exit(result.status ?? 1);
