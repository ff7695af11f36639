// The differential test: Vigil's view of a PostgreSQL session must equal the server's. A private
// cluster logs every statement it executes (log_statement=all); random frontend message sequences
// run through Vigil, and each execution in the server's log must have been recorded first with the
// same text, nothing Vigil denied may run, the guarded table must survive, and (where Vigil has no
// reason to intervene) the replies must be the server's own. A second property checks Vigil's SQL
// classifier against the server's parser on fuzzed SQL-ish strings. See docs/testing.md.
// Short here (a fixed seed, printed); the long run is scripts/differential.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlClassifier } from '../../src/protocols/postgres/sql-classifier.js';
import { clusterUnavailableReason } from './differential/cluster.js';
import { runSessionProperty, runTokenizerProperty } from './differential/property-runs.js';
import { SessionDifferential } from './differential/session-harness.js';

const SEED = Number(process.env.VIGIL_DIFFERENTIAL_SEED ?? 20261201);
const SESSION_RUNS = 30;
const TOKENIZER_RUNS = 300;

const unavailable = await clusterUnavailableReason();
if (unavailable) console.log(`# differential test skipped: ${unavailable}`);

let h: SessionDifferential;
let classifier: SqlClassifier;
before(async () => {
  if (unavailable) return;
  h = await SessionDifferential.start();
  classifier = await SqlClassifier.create();
  console.log(
    `# differential seed ${SEED} (set VIGIL_DIFFERENTIAL_SEED to replay); PostgreSQL from ${h.cluster.source}`,
  );
});
after(async () => {
  if (h) await h.close();
});

test('every statement the server executes was recorded first with the same text; nothing denied runs', {
  skip: unavailable ?? false,
  timeout: 120_000,
}, async () => {
  const r = await runSessionProperty(h, { runs: SESSION_RUNS, seed: SEED, timeLimitMs: 40_000 });
  console.log(`# sessions: ${r.runsDone} ${JSON.stringify(r.tally)}`);
  assert.ok(r.ok, r.report);
  // The generator must reach both the guardrails and the transparency comparison, or it tests little.
  assert.ok(r.tally.withDenial! > 0, 'no sequence met a denial');
  assert.ok(r.tally.transparencyCompared! > 0, 'no sequence was compared with a direct run');
});

test("the classifier says UNKNOWN exactly when the server's parser rejects the string, else the same statements", {
  skip: unavailable ?? false,
  timeout: 120_000,
}, async () => {
  const r = await runTokenizerProperty(h, classifier, {
    runs: TOKENIZER_RUNS,
    seed: SEED,
    timeLimitMs: 30_000,
  });
  console.log(`# tokenizer: ${r.runsDone} ${JSON.stringify(r.tally)}`);
  assert.ok(r.ok, r.report);
  assert.ok(r.tally.rejected! > 0 && r.tally.ran! > 0, 'the strings did not reach both verdicts');
});
