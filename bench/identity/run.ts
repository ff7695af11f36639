// What admitting one HTTP request costs the gateway in credential checks: the authenticator as the
// gateway builds it (revocation, disabled identities and SCIM checks included), for a signed Vigil
// token remembered as verified (the default) and verified on every request (the cache off: how every
// request was admitted before), a static token from the configuration (a hash lookup: the floor),
// and a service-account token remembered and looked up on every request, in the SQLite store and,
// when a PostgreSQL server answers, in the PostgreSQL store (a round trip per lookup). LLM, MCP and
// HTTP clients send their bearer token with every request; a database or SSH client presents it once
// per connection. Rounds alternate the subjects; the table gives medians of CPU and wall µs per
// authentication, and the ratios of the per-round medians.
// Run: node --import tsx bench/identity/run.ts
//   VIGIL_BENCH_PG_URL  the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreBundle } from '../../src/core/ports.js';
import { AccessState } from '../../src/identity/access-state.js';
import type { Credential } from '../../src/identity/authenticator.js';
import { ConfigTokenAuthenticator, hashToken } from '../../src/identity/config-tokens.js';
import { GatewayAuthenticator } from '../../src/identity/gateway-authenticator.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { loadOrCreateTokenKey } from '../../src/identity/token-keys.js';
import { VigilTokens } from '../../src/identity/vigil-tokens.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { BENCH_PG_URL } from '../support/postgres-url.js';
import { writeResultsSection } from '../support/results-file.js';

const CALLS = 2_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 15;
const STATIC_TOKEN = 'bench-static-token';
const PG_SCHEMA = `vigil_bench_identity_${process.pid}`;

interface Subject {
  readonly name: string;
  readonly auth: GatewayAuthenticator;
  readonly credential: Credential;
}

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-identity-'));
const key = loadOrCreateTokenKey(dataDir);
const staticTokens = new ConfigTokenAuthenticator([
  {
    name: 'bench',
    kind: 'user',
    groups: [],
    roles: ['user'],
    ssh_keys: [],
    token_sha256: hashToken(STATIC_TOKEN),
  },
]);
const stores: StoreBundle[] = [];

async function authenticators(store: StoreBundle) {
  const access = new AccessState(store.access);
  await access.refresh();
  const build = (vigilTokens: VigilTokens, remember: boolean) =>
    new GatewayAuthenticator({
      staticTokens,
      vigilTokens,
      accessStore: store.access,
      access,
      ...(remember ? {} : { serviceTokenCache: { max: 0 } }),
    });
  return {
    remembering: build(new VigilTokens(key, 'vigil'), true),
    everyTime: build(new VigilTokens(key, 'vigil', { cache: { max: 0 } }), false),
    service: (await createServiceToken(store.access, { name: 'agent', connections: [], ttlMs: 3_600_000 }))
      .token,
  };
}

async function postgresStore(): Promise<StoreBundle | null> {
  const probe = new pg.Client({ connectionString: BENCH_PG_URL });
  try {
    await probe.connect();
  } catch {
    return null;
  } finally {
    await probe.end().catch(() => undefined);
  }
  process.env.VIGIL_BENCH_IDENTITY_PG_URL = BENCH_PG_URL;
  return openStore(
    configSchema.parse({
      store: { type: 'postgres', url: 'env:VIGIL_BENCH_IDENTITY_PG_URL', schema: PG_SCHEMA },
    }),
    dataDir,
  );
}

const sqlite = await openStore(configSchema.parse({}), dataDir);
stores.push(sqlite);
const local = await authenticators(sqlite);
const { token } = await new VigilTokens(key, 'vigil').issue({
  subject: 'alice@example.com',
  groups: ['ai-eng'],
  roles: ['user'],
  ttlMs: 3_600_000,
});
const subjects: Subject[] = [
  { name: 'Vigil token, remembered as verified (default)', auth: local.remembering, credential: token },
  { name: 'Vigil token, verified on every request', auth: local.everyTime, credential: token },
  { name: 'static token from the configuration', auth: local.remembering, credential: STATIC_TOKEN },
  {
    name: 'service token, SQLite store, remembered (default)',
    auth: local.remembering,
    credential: local.service,
  },
  {
    name: 'service token, SQLite store, looked up on every request',
    auth: local.everyTime,
    credential: local.service,
  },
];
const postgres = await postgresStore();
if (postgres) {
  stores.push(postgres);
  const remote = await authenticators(postgres);
  subjects.push(
    {
      name: 'service token, PostgreSQL store, remembered (default)',
      auth: remote.remembering,
      credential: remote.service,
    },
    {
      name: 'service token, PostgreSQL store, looked up on every request',
      auth: remote.everyTime,
      credential: remote.service,
    },
  );
}

/** CPU and wall µs per authentication over CALLS calls (CPU: this process, one thread, so its own). */
async function perCall(s: Subject): Promise<{ cpu: number; wall: number }> {
  const before = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await s.auth.authenticate(s.credential);
  const wall = ((performance.now() - start) * 1000) / CALLS;
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / CALLS, wall };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const samples = subjects.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
try {
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    for (const [i, s] of subjects.entries()) {
      const { cpu, wall } = await perCall(s);
      if (round >= WARMUP_ROUNDS) {
        samples[i]!.cpu.push(cpu);
        samples[i]!.wall.push(wall);
      }
    }
  }
} finally {
  for (const store of stores) await store.close();
  if (postgres) {
    const admin = new pg.Client({ connectionString: BENCH_PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
    await admin.end();
  }
}

const cell = (i: number) =>
  `${median(samples[i]!.cpu).toFixed(1)} µs | ${median(samples[i]!.wall).toFixed(1)} µs | ${Math.min(...samples[i]!.cpu).toFixed(1)}–${Math.max(...samples[i]!.cpu).toFixed(1)} µs`;
const ratio = (slow: number, fast: number, of: 'cpu' | 'wall') =>
  median(samples[slow]![of].map((v, r) => v / samples[fast]![of][r]!)).toFixed(1);
const lines = [
  `Run: ${new Date().toISOString()}, Node ${process.version}, ${ROUNDS} rounds of ${CALLS} authentications per subject after ${WARMUP_ROUNDS} warm-up rounds, subjects alternating within each round.`,
  '',
  '| credential | CPU per authentication (median) | wall per authentication (median) | CPU, range of rounds |',
  '| --- | --- | --- | --- |',
  ...subjects.map((s, i) => `| ${s.name} | ${cell(i)} |`),
  '',
  `Vigil token: verifying on every request costs ${ratio(1, 0, 'cpu')}× the CPU of remembering it (median of the rounds' ratios). Service token in SQLite: ${ratio(4, 3, 'cpu')}× the CPU.` +
    (postgres
      ? ` Service token in PostgreSQL: ${ratio(6, 5, 'wall')}× the wall time (a round trip per request) and ${ratio(6, 5, 'cpu')}× the CPU.`
      : ' PostgreSQL: no server answered, skipped.'),
];
for (const line of lines) console.log(line);
writeResultsSection(
  'Admission: bearer-token checks per request',
  `Command: \`node --import tsx bench/identity/run.ts\` (the authenticator alone, in one process, as the gateway builds it: revocation, disabled-identity and SCIM checks included; PostgreSQL on 127.0.0.1:5432).\n\n${lines.join('\n')}`,
);
