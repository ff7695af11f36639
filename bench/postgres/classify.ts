// Classification cost per statement for texts that inline their values (every text new), with the
// shape cache and without it (a parse per text), in one run, alternating rounds; CPU time of this
// process. Prints only (the PostgreSQL section of bench/RESULTS.md quotes it by hand).
//   node --import tsx bench/postgres/classify.ts [--statements 20000] [--rounds 3]
import { parseArgs } from 'node:util';
import { SqlClassifier } from '../../src/protocols/postgres/sql-classifier.js';

const { values } = parseArgs({
  options: { statements: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } },
});
const N = Number(values.statements);
const ROUNDS = Number(values.rounds);

// pgbench's three statement shapes, and an application's lookup by a string key.
const TEXTS: ((i: number) => string)[] = [
  (i) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${i};`,
  (i) => `UPDATE pgbench_accounts SET abalance = abalance + ${i % 5000} WHERE aid = ${i};`,
  (i) =>
    `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${i % 10}, 1, ${i}, ${i % 5000}, CURRENT_TIMESTAMP);`,
  (i) => `SELECT id, name, email FROM customers WHERE email = 'user${i}@example.com' AND active`,
];

let offset = 0;
function measure(classifier: SqlClassifier): number {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) classifier.classify(TEXTS[i % TEXTS.length]!(offset + i));
  offset += N; // every round's texts are new to both classifiers
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const shaped = await SqlClassifier.create();
const parsed = await SqlClassifier.create(2048, { byShape: false });
measure(shaped);
measure(parsed); // warm-up
const rows: [number, number][] = [];
for (let r = 0; r < ROUNDS; r++) rows.push([measure(parsed), measure(shaped)]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const parse = median(rows.map((r) => r[0]));
const shape = median(rows.map((r) => r[1]));
console.log(`statements per round: ${N} (4 shapes, every text new), rounds: ${ROUNDS}`);
console.log(`| classification | CPU per statement (median) |`);
console.log(`|---|---|`);
console.log(`| a parse per text (libpg-query) | ${parse.toFixed(1)} µs |`);
console.log(`| by shape | ${shape.toFixed(1)} µs |`);
console.log(`ratio: ${(parse / shape).toFixed(1)}× less CPU by shape`);
