// CPU per statement of masking pgbench's statements as db.query payloads (what the gateway records
// for each), with the SQL bindings reading kept by statement shape (sql-shape-cache.ts) and without
// (`sqlShapeCache: false`): select-only (-S) and the TPC-B-like script, every statement with new
// integers, as pgbench sends them. The masker is compiled first (bench/support/compiled.ts), and
// the two subjects alternate round by round on the same machine moments apart.
// Run: node --import tsx bench/mask/sql-shape-cache.ts [--statements 20000] [--rounds 9]
import type { JsonObject } from '../../src/core/events.js';
import type * as MaskModule from '../../src/mask/index.js';
import { importCompiled } from '../support/compiled.js';

const { createMasker } = await importCompiled<typeof MaskModule>('mask/index.js');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || fallback : fallback;
};
const STATEMENTS = arg('--statements', 20_000);
const ROUNDS = arg('--rounds', 9);

/** pgbench's scale 10: 1,000,000 accounts, 100 tellers, 10 branches. */
const rand = (n: number) => 1 + Math.floor(Math.random() * n);
const delta = () => Math.floor(Math.random() * 10_001) - 5000;

function selectOnly(): string[] {
  return [`SELECT abalance FROM pgbench_accounts WHERE aid = ${rand(1_000_000)};`];
}

function tpcb(): string[] {
  const aid = rand(1_000_000);
  const tid = rand(100);
  const bid = rand(10);
  const d = delta();
  return [
    'BEGIN;',
    `UPDATE pgbench_accounts SET abalance = abalance + ${d} WHERE aid = ${aid};`,
    `SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};`,
    `UPDATE pgbench_tellers SET tbalance = tbalance + ${d} WHERE tid = ${tid};`,
    `UPDATE pgbench_branches SET bbalance = bbalance + ${d} WHERE bid = ${bid};`,
    `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${tid}, ${bid}, ${aid}, ${d}, CURRENT_TIMESTAMP);`,
    'END;',
  ];
}

function payloads(script: () => string[]): JsonObject[] {
  const out: JsonObject[] = [];
  while (out.length < STATEMENTS) for (const statement of script()) out.push({ statement, parameters: [] });
  return out.slice(0, STATEMENTS);
}

const options = {
  fingerprintKey: 'bench-fingerprint-key',
  connections: [{ name: 'pg', sqlReading: 'standard' as const }],
};
const subjects = {
  uncached: createMasker({ ...options, sqlShapeCache: false }),
  cached: createMasker(options),
};

/** CPU microseconds per statement for one pass over `list`. */
function pass(masker: MaskModule.Masker, list: readonly JsonObject[]): number {
  const before = process.cpuUsage();
  for (const p of list) masker.maskPayload(p, 'pg');
  const used = process.cpuUsage(before);
  return (used.user + used.system) / list.length;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const [name, script] of [
  ['select-only (-S)', selectOnly],
  ['TPC-B-like', tpcb],
] as const) {
  // The same records either way (the property test proves it; a bench that measured a wrong path would mislead).
  for (const p of payloads(script).slice(0, 500)) {
    const a = JSON.stringify(subjects.uncached.maskPayload(p, 'pg'));
    if (a !== JSON.stringify(subjects.cached.maskPayload(p, 'pg'))) throw new Error(`differs: ${a}`);
  }
  const times: Record<keyof typeof subjects, number[]> = { uncached: [], cached: [] };
  // Warm-up: V8 optimises both paths before anything is timed.
  for (const masker of Object.values(subjects)) for (let w = 0; w < 3; w++) pass(masker, payloads(script));
  for (let r = 0; r < ROUNDS; r++) {
    for (const key of Object.keys(subjects) as (keyof typeof subjects)[]) {
      times[key].push(pass(subjects[key], payloads(script)));
    }
  }
  const u = median(times.uncached);
  const c = median(times.cached);
  console.log(
    `${name}: uncached ${u.toFixed(1)} µs, shape-cached ${c.toFixed(1)} µs per statement ` +
      `(median of ${ROUNDS} passes of ${STATEMENTS}; ${((1 - c / u) * 100).toFixed(0)}% less)`,
  );
}
