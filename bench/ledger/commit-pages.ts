// WAL pages written per durable commit, by table and index, for the gateway's commit shape: one
// event per commit, one session, a model request (~0.4 kB payload) then its response (~1.3 kB).
// Each commit's frames are read back from the WAL (autocheckpoint off here so frames are not
// reused) and named through dbstat. Deterministic: the machine's load does not change the counts.
//   node --import tsx bench/ledger/commit-pages.ts [commits] [--drop INDEX]...
// --drop removes an index first (e.g. --drop sessions_last): what maintaining it costs in pages.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Recorder } from '../../src/ledger/recorder.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { drop: { type: 'string', multiple: true, default: [] } },
});
const COMMITS = Number(positionals[0] ?? 2_000);
const WARM_UP = 500;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pages-'));
const path = join(dir, 'vigil.db');
const store = new SqliteStore(path, { synchronous: 'full', appendInWorker: false });
const db = store.database;
for (const index of flags.drop) db.exec(`DROP INDEX ${index}`);
db.pragma('wal_autocheckpoint = 0');
const pageSize = db.pragma('page_size', { simple: true }) as number;
const recorder = new Recorder(store);
await recorder.init();
const identity = { subject: 'alice', kind: 'user' as const, groups: ['ai-eng'] };

async function commit(i: number): Promise<void> {
  const response = i % 2 === 1;
  await recorder.append(
    {
      type: response ? 'llm.response' : 'llm.request',
      sessionId: 's_bench',
      connection: 'openai',
      identity,
      time: new Date().toISOString(),
      payload: response ? { status: 200, body: 'r'.repeat(1_300) } : { model: 'm', prompt: 'p'.repeat(380) },
    },
    'llm',
  );
}

/** Page numbers of the frames appended to the WAL since `from` (a byte offset). */
function framesSince(from: number): number[] {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const size = statSync(`${path}-wal`).size;
    const pages: number[] = [];
    const header = Buffer.alloc(4);
    for (let at = Math.max(from, WAL_HEADER); at + FRAME_HEADER <= size; at += FRAME_HEADER + pageSize) {
      readSync(fd, header, 0, 4, at);
      pages.push(header.readUInt32BE(0));
    }
    return pages;
  } finally {
    closeSync(fd);
  }
}

for (let i = 0; i < WARM_UP; i++) await commit(i);
const perCommit: number[][] = [];
for (let i = WARM_UP; i < WARM_UP + COMMITS; i++) {
  const before = statSync(`${path}-wal`).size;
  await commit(i);
  perCommit.push(framesSince(before));
}
const owner = new Map<number, string>(
  (db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]).map((r) => [
    r.pageno,
    r.name,
  ]),
);
owner.set(1, 'page 1 (header: database size)');
const byName = new Map<string, number>();
for (const pages of perCommit) {
  for (const p of pages) {
    const name = owner.get(p) ?? 'other';
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
}
await store.close();
rmSync(dir, { recursive: true, force: true });
const total = perCommit.reduce((n, pages) => n + pages.length, 0);
console.log(
  `${COMMITS} commits (one event each), page size ${pageSize}${flags.drop.length ? `, dropped ${flags.drop.join(', ')}` : ''}: ${(total / COMMITS).toFixed(2)} WAL frames per commit (${((total * (pageSize + FRAME_HEADER)) / COMMITS / 1024).toFixed(1)} kB)`,
);
for (const [name, n] of [...byName].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name.padEnd(34)} ${(n / COMMITS).toFixed(2)}`);
}
