// Three gateway replicas on one PostgreSQL store, behind a round-robin (the clients take the replicas
// in turn). Mixed LLM and PostgreSQL traffic runs; the replica signing checkpoints is SIGKILLed under
// load. Then: everything acknowledged to a client is in the ledger, `vigil verify` passes, the dead
// replica's sessions are closed as crash-recovered once its lease lapsed (not before), no session of
// a live replica is, a live replica's open connection keeps working, and another replica took over
// signing checkpoints.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { withPassword } from '../support/postgres-server.js';
import {
  closeSharedTestPostgres,
  type ScratchPostgresStore,
  scratchPostgresStore,
  sharedTestPostgres,
  targetDatabaseConnection,
} from '../support/postgres-store.js';

const LEASE_MS = 3000;

interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  readonly id: string;
  readonly dbPort: number;
}

let model: DemoModel | undefined;
let scratch: ScratchPostgresStore | undefined;
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await model?.close();
  await scratch?.drop().catch(() => undefined);
  await closeSharedTestPostgres();
});

async function spawnReplica(settings: Record<string, unknown>, dataDir: string): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/gateway-process.ts', JSON.stringify({ settings, dataDir })],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
  const started = JSON.parse(line) as {
    url: string;
    replica: string;
    listeners: { connection: string; address: string }[];
  };
  const db = started.listeners.find((l) => l.connection === 'db')!;
  return { child, url: started.url, id: started.replica, dbPort: Number(db.address.split(':').at(-1)) };
}

function client(replica: Replica): pg.Client {
  const c = new pg.Client({
    host: '127.0.0.1',
    port: replica.dbPort,
    user: 'alice',
    database: 'postgres',
    password: TOKENS.alice,
    connectionTimeoutMillis: 10_000,
  });
  c.on('error', () => undefined); // a replica killed under the connection
  return c;
}

test('three replicas, one SIGKILLed under load: nothing acknowledged is lost, its sessions are recovered after its lease', {
  timeout: 300_000,
}, async () => {
  const server = await sharedTestPostgres();
  scratch = await scratchPostgresStore('database', { max: 4 });
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  // One data directory for the three (one machine): they share the ledger's signing key and anchor.
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-replicas-'));
  const settings = {
    log_level: 'silent',
    identities: TEST_IDENTITIES,
    store: scratch.section,
    replica: { lease: LEASE_MS },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] },
      targetDatabaseConnection(server),
    ],
  };
  const replicas: Replica[] = [];
  for (let i = 0; i < 3; i++) replicas.push(await spawnReplica(settings, dataDir));
  const alive = new Set(replicas);
  let turn = 0;
  const next = (): Replica => {
    for (;;) {
      const r = replicas[turn++ % replicas.length]!;
      if (alive.has(r)) return r;
    }
  };

  const storeDb = new pg.Client({ connectionString: scratch.url });
  storeDb.on('error', () => undefined);
  await storeDb.connect();
  const signer = async (): Promise<string | undefined> => {
    const { rows } = await storeDb.query('SELECT holder FROM vigil.leases WHERE name = $1', [
      'checkpoint-signer',
    ]);
    return (rows[0] as { holder: string } | undefined)?.holder;
  };
  // A connection held open on each replica: those on the survivors must live through the kill.
  const held = new Map<Replica, pg.Client>();
  for (const r of replicas) {
    const c = client(r);
    await c.connect();
    await c.query('SELECT 1');
    held.set(r, c);
  }

  const askedOk: string[] = [];
  const queriedOk: string[] = [];
  let stop = false;
  const llmWorker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const marker = `llm-w${w}-q${i}`;
      const r = next();
      try {
        const res = await fetch(`${r.url}/c/oa/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'demo',
            stream: i % 2 === 0,
            messages: [{ role: 'user', content: marker }],
          }),
        });
        const text = await res.text();
        if (res.status === 200 && (text.includes('[DONE]') || text.includes('"choices"')))
          askedOk.push(marker);
      } catch {
        // The replica died under this request: not acknowledged, the next one goes elsewhere.
      }
    }
  };
  const sqlWorker = async (w: number) => {
    let c: pg.Client | null = null;
    for (let i = 0; !stop; i++) {
      const marker = `sql-w${w}-q${i}`;
      try {
        if (!c) {
          c = client(next());
          await c.connect();
        }
        const { rows } = await c.query(`SELECT '${marker}'::text AS marker`);
        if (rows[0]?.marker === marker) queriedOk.push(marker);
      } catch {
        await c?.end().catch(() => undefined);
        c = null;
      }
    }
    await c?.end().catch(() => undefined);
  };
  const load = [...[0, 1, 2, 3].map(llmWorker), ...[0, 1, 2].map(sqlWorker)];
  const started = Date.now();
  while (
    (Date.now() - started < 2000 || askedOk.length + queriedOk.length < 60) &&
    Date.now() - started < 60_000
  )
    await sleep(50);
  const victimId = await signer();
  const victim = replicas.find((r) => r.id === victimId);
  assert.ok(victim, `one replica holds the checkpoint signer's lease (${victimId})`);
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  alive.delete(victim!);
  await sleep(1500); // load goes on against the survivors
  stop = true;
  await Promise.all(load);
  assert.ok(
    askedOk.length > 10 && queriedOk.length > 10,
    `load before the kill (${askedOk.length} LLM, ${queriedOk.length} SQL)`,
  );

  // The dead replica's sessions are closed by a survivor once its lease lapsed.
  const recovered = async () =>
    (
      await storeDb.query(
        `SELECT session_id, time, payload FROM vigil.events WHERE type = 'session.end' AND payload LIKE '%crash-recovered%'`,
      )
    ).rows as { session_id: string; time: string; payload: string }[];
  const openOfVictim = async () =>
    Number(
      (
        await storeDb.query(
          `SELECT count(*) AS n FROM vigil.sessions WHERE ended_at IS NULL AND replica = $1`,
          [victim.id],
        )
      ).rows[0].n,
    );
  const deadline = Date.now() + 60_000;
  while (((await recovered()).length === 0 || (await openOfVictim()) > 0) && Date.now() < deadline)
    await sleep(200);
  const ends = await recovered();
  assert.ok(ends.length > 0, 'the dead replica had open sessions, closed as crash-recovered');
  assert.equal(await openOfVictim(), 0, 'no session of the dead replica is left open');
  for (const end of ends) {
    const payload = JSON.parse(end.payload) as { replica?: string; recovered_by?: string };
    assert.equal(
      payload.replica,
      victim.id,
      `only the dead replica's sessions are recovered (${end.session_id})`,
    );
    assert.ok(payload.recovered_by && payload.recovered_by !== victim.id);
    // Its last renewal was at most a third of a lease before the kill: the lease ran at least 2/3 on.
    assert.ok(
      Date.parse(end.time) - killedAt >= (LEASE_MS * 2) / 3 - 200,
      `closed ${Date.parse(end.time) - killedAt} ms after the kill: not before the lease lapsed`,
    );
  }

  // The survivors' connections were never touched and still serve; their sessions are open.
  for (const r of alive) {
    const c = held.get(r)!;
    assert.equal((await c.query("SELECT 'still here'::text AS s")).rows[0].s, 'still here');
    const open = (
      await storeDb.query(
        `SELECT count(*) AS n FROM vigil.sessions WHERE connection = 'db' AND replica = $1 AND ended_at IS NULL`,
        [r.id],
      )
    ).rows[0] as { n: string };
    assert.ok(Number(open.n) >= 1, `replica ${r.id}'s held session is still open`);
    await c.end();
  }

  // Another replica signs checkpoints now.
  let newSigner: string | undefined;
  for (let i = 0; i < 100; i++) {
    newSigner = await signer();
    if (newSigner !== victim.id) break;
    await sleep(100);
  }
  assert.ok(newSigner && newSigner !== victim.id, 'the signer lease moved to a live replica');

  for (const r of alive) r.child.kill('SIGTERM');
  await Promise.all([...alive].map((r) => new Promise((resolve) => r.child.once('exit', resolve))));

  // Nothing acknowledged is missing.
  const { rows } = await storeDb.query(
    `SELECT type, payload FROM vigil.events WHERE type IN ('llm.request', 'db.query')`,
  );
  const recorded = (rows as { type: string; payload: string }[]).map((r) => r.payload).join('\n');
  for (const marker of [...askedOk, ...queriedOk])
    assert.ok(recorded.includes(marker), `acknowledged ${marker} is in the ledger`);
  const checkpoints = (await storeDb.query('SELECT size FROM vigil.checkpoints ORDER BY size')).rows as {
    size: string;
  }[];
  const size = Number((await storeDb.query('SELECT size FROM vigil.ledger_head')).rows[0].size);
  assert.equal(Number(checkpoints.at(-1)?.size), size, 'the last checkpoint covers the whole ledger');
  await storeDb.end();

  const configFile = join(dataDir, 'cli.yaml');
  writeFileSync(
    configFile,
    `data: ${dataDir}\nstore:\n  type: postgres\n  url: ${scratch.section.url}\n  schema: ${scratch.section.schema}\n`,
  );
  const verify = await runCli(['--config', configFile, 'verify', '--json']);
  assert.equal(verify.code, 0, `vigil verify: ${verify.stdout}${verify.stderr}`);
  assert.ok(
    !verify.stdout.includes(withPassword(server.url, server.password)),
    'the store URL is never printed',
  );
});
