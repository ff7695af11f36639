// How long node-sql-parser takes on the nestings it is exponential in, by depth: the figures behind
// the parse time limit and nesting cap of the MySQL classifier (src/protocols/mysql/parser-pool.ts).
// Parses in process, one statement at a time; a depth is skipped once one shape takes over --max ms.
//   node --import tsx bench/mysql/parser-nesting.ts [--depths 2,4,6,8,10,12,16] [--max 20000]
import { loadavg } from 'node:os';
import { parseStatement } from '../../src/protocols/mysql/statement-parser.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : fallback;
const depths = opt('--depths', '4,8,10,12,16').split(',').map(Number);
const maxMs = Number(opt('--max', '20000'));

function nest(levels: number, wrap: (inner: string, i: number) => string, seed: string): string {
  let inner = seed;
  for (let i = 0; i < levels; i++) inner = wrap(inner, i);
  return inner;
}

/** Each builds a statement whose parentheses nest `depth` deep (what the classifier's cap counts). */
const SHAPES: Record<string, (depth: number) => string> = {
  'join group': (d) => `SELECT 1 FROM ${nest(d, (g, i) => `t a${i} JOIN (${g}) ON 1`, 't')}`,
  'subquery in join': (d) =>
    `SELECT 1 FROM ${nest(d, (g, i) => `t a${i} JOIN (SELECT 1 FROM ${g}) s${i} ON 1`, 't')}`,
  'CAST((x))': (d) => `SELECT ${nest(d / 2, (g) => `CAST((${g}) AS CHAR)`, '1')}`,
  'CAST(x)': (d) => `SELECT ${nest(d, (g) => `CAST(${g} AS CHAR)`, '1')}`,
  'SUBSTRING((x))': (d) => `SELECT ${nest(d / 2, (g) => `SUBSTRING((${g}), 1)`, "'a'")}`,
  'function calls': (d) => `SELECT ${nest(d, (g) => `abs(${g})`, 'id')} FROM t`,
  arithmetic: (d) => `SELECT ${nest(d, (g) => `(${g} + 1)`, 'id')} FROM t`,
};

parseStatement('SELECT 1');
console.log(`load average ${loadavg()[0]!.toFixed(2)}; ms per parse (best of 3, 1 run above 1 s)`);
const skipped = new Set<string>();
for (const depth of depths) {
  const row: string[] = [`depth ${String(depth).padStart(2)}`];
  for (const [name, build] of Object.entries(SHAPES)) {
    if (skipped.has(name)) {
      row.push(`${name}: skipped`);
      continue;
    }
    const text = build(depth);
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      parseStatement(text);
      best = Math.min(best, performance.now() - started);
      if (best > 1000) break;
    }
    if (best > maxMs) skipped.add(name);
    row.push(`${name}: ${best.toFixed(1)}`);
  }
  console.log(row.join(' | '));
}
