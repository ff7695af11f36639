// mysqlslap through Vigil versus direct, in one run, recording on (durability: full): a select-only
// load on a primary key and a write mix (mysqlslap's generated INSERT/SELECT mix), with 1 and 8
// clients; Vigil's own CPU time per statement from /proc.
//   node --import tsx bench/mysql/run.ts [--queries 4000] [--durability full] [--only 'key lookups']
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/demo-postgres.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { adminConnection, startTestMariadb } from '../../test/support/mariadb-server.js';
import { cpuMillis } from '../support/cpu.js';
import { spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { ratio } from '../support/stats.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : fallback;
const queries = Number(opt('--queries', '4000'));
const durability = opt('--durability', 'full');
/** Runs only the workloads whose name starts with this. */
const only = opt('--only', '');
const TOKEN = 'bench-token-0123456789';
const USER = 'bench_upstream';
const PASSWORD = 'Bench-pass-1234';

interface Endpoint {
  readonly name: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** One mysqlslap run: statements per second, or NaN when it failed. */
function slap(e: Endpoint, clients: number, load: string[]): number {
  const run = spawnSync(
    'mysqlslap',
    [
      '--no-defaults',
      '--host=127.0.0.1',
      `--port=${e.port}`,
      `--user=${e.user}`,
      `--password=${e.password}`,
      '--protocol=tcp',
      '--skip-ssl',
      `--concurrency=${clients}`,
      '--iterations=1',
      `--number-of-queries=${queries}`,
      ...load,
    ],
    { encoding: 'utf8' },
  );
  const m = /Average number of seconds to run all queries: ([\d.]+)/.exec(run.stdout);
  if (run.status !== 0 || !m) {
    console.error(`mysqlslap ${e.name} failed: ${run.stderr.slice(0, 400)}`);
    return Number.NaN;
  }
  return queries / Number(m[1]);
}

let lookupRuns = 0;
/** A file of `queries` primary-key lookups, each with its own id and string literal. */
function distinctLookups(): string {
  const run = ++lookupRuns;
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-bench-mysql-q-')), 'lookups.sql');
  const ids = Array.from({ length: queries }, (_, i) => ((i * 7919) % 10000) + 1);
  writeFileSync(
    file,
    ids
      .map((id) => `SELECT id, name FROM items WHERE id = ${id} AND name <> 'none-${run}-${id}';`)
      .join('\n'),
  );
  return file;
}

async function main() {
  const server = await startTestMariadb();
  const admin = await adminConnection(server);
  await admin.query(
    `CREATE DATABASE IF NOT EXISTS bench; CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'; ` +
      `CREATE USER IF NOT EXISTS '${USER}'@'localhost' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON *.* TO '${USER}'@'%'; GRANT ALL ON *.* TO '${USER}'@'localhost'; ` +
      'CREATE TABLE IF NOT EXISTS bench.items (id INT PRIMARY KEY, name VARCHAR(40)); ' +
      'INSERT IGNORE INTO bench.items SELECT seq, CONCAT("item-", seq) FROM bench.seq_1_to_10000',
  );
  await admin.end();
  process.env.VIGIL_BENCH_MYSQL_PASSWORD = PASSWORD;
  const port = await freePort();
  const vigil = await spawnJsonUrl('scripts/gateway-process.ts', [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-mysql-')),
      settings: {
        log_level: 'silent',
        durability,
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [
          {
            name: 'my',
            type: 'mysql',
            listen: `127.0.0.1:${port}`,
            upstream: `mysql://${USER}@127.0.0.1:${server.port}/bench`,
            credential: 'env:VIGIL_BENCH_MYSQL_PASSWORD',
            allow: ['*'],
          },
        ],
      },
    }),
  ]);
  const endpoints: Endpoint[] = [
    { name: 'direct', port: server.port, user: USER, password: PASSWORD },
    { name: 'vigil', port, user: 'bench', password: TOKEN },
  ];
  const workloads = [
    {
      name: 'select-only (primary key)',
      load: ['--create-schema=bench', '--query=SELECT id, name FROM items WHERE id = 4242'],
    },
    {
      name: 'write mix (generated INSERT + SELECT)',
      load: ['--auto-generate-sql', '--auto-generate-sql-load-type=mixed', '--create-schema=slap_mix'],
    },
    {
      // Every statement its own text (values inlined), as applications that do not prepare send
      // them: the exact-text classification cache misses on each.
      name: 'key lookups, distinct literals',
      // A new file for each run, so no run meets the texts of the one before.
      get load() {
        return ['--create-schema=bench', `--query=${distinctLookups()}`, '--delimiter=;'];
      },
    },
  ].filter((w) => only === '' || w.name.startsWith(only));
  const rows: string[] = [];
  try {
    for (const w of workloads) {
      for (const clients of [1, 8]) {
        const qps = new Map<string, number>();
        let cpuPerStatement = Number.NaN;
        for (const e of endpoints) {
          const before = cpuMillis(vigil.child.pid);
          qps.set(e.name, slap(e, clients, w.load));
          if (e.name === 'vigil') cpuPerStatement = ((cpuMillis(vigil.child.pid) - before) * 1000) / queries;
          console.error(
            `${w.name}, ${clients} clients, ${e.name}: ${qps.get(e.name)!.toFixed(0)} statements/s`,
          );
        }
        const d = qps.get('direct')!;
        const v = qps.get('vigil')!;
        rows.push(
          `| ${w.name} | ${clients} | ${d.toFixed(0)} | ${v.toFixed(0)} | ${ratio(v, d)} | ${Number.isFinite(cpuPerStatement) ? `${cpuPerStatement.toFixed(0)} µs` : 'n/a'} |`,
        );
      }
    }
  } finally {
    await vigil.stop();
    await server.close();
  }
  const lines = [
    `mysqlslap, ${queries} statements per run, 1 iteration, MariaDB 10.11 (a private mariadbd) on loopback, no TLS; Vigil records every statement and result (durability: ${durability}, SQLite ledger, group commit). Taken on 2 shared CPU cores while other work ran: mysqlslap, MariaDB and Vigil compete for them.`,
    '',
    '| workload | clients | direct (statements/s) | Vigil (statements/s) | Vigil / direct | Vigil CPU per statement |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    "The write mix counts mysqlslap's generated INSERTs and SELECTs (it also creates and drops its schema in each run, not counted). Target: ≥ 0.5 × direct at 8 clients: not met. With one client each statement waits for the durable commit of its db.query before it is forwarded; node-sql-parser costs about 1 ms per statement text not seen before; classifications are cached by text and by shape (literals replaced), which the distinct-literals workload exercises.",
    `Load average when the run ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}.`,
    '',
    `Command: \`node --import tsx bench/mysql/run.ts --queries ${queries} --durability ${durability}\``,
  ];
  writeResultsSection(
    durability === 'full' ? 'MySQL' : `MySQL (durability: ${durability})`,
    lines.join('\n'),
  );
  console.log(lines.join('\n'));
}

await main();
