// Dependencies point inward (docs/architecture.md): core imports nothing of ours; the ledger, masking,
// policy, identity and reasoning layers never import an adapter, a store or the server; adapters
// never import each other, the server or the CLI. Only server/ and cli/ wire concrete classes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sources(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The top-level area of a file under src/: core, ledger, protocols/llm, ... */
function area(file: string): string {
  const parts = relative('src', file).split('/');
  // src/store/index.ts, the factory that picks a backend, is the store area itself.
  if (parts[0] === 'store' && parts.length === 2) return 'store';
  // A file directly in protocols/ or store/ is the shared contract or registry; a folder is one module.
  const folder = (parts[0] === 'protocols' || parts[0] === 'store') && parts.length > 2;
  return folder ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const FORBIDDEN: Record<string, RegExp> = {
  core: /.*/,
  // Process plumbing (starting our own modules as workers): used by every layer, so it imports none.
  runtime: /.*/,
  ledger: /^(protocols|store|server|cli|api|pipeline|mask|policy|identity|reasoning)/,
  mask: /^(protocols|store|server|cli|api|ledger|pipeline|policy|identity|reasoning)/,
  reasoning: /^(protocols|store|server|cli|api|pipeline|policy|identity)/,
  policy: /^(protocols|store|server|cli|api)/,
  identity: /^(protocols|store|server|cli|api)/,
  pipeline: /^(protocols|store|server|cli|api)/,
  // The admin API takes its HTTP plumbing from http/, never from a protocol adapter.
  api: /^(protocols|store|server|cli)/,
  // The write-ahead relay is protocol-neutral: core and the pipeline only.
  relay: /^(protocols|store|server|cli|api|ledger|mask|policy|identity|reasoning|http)/,
  // Shared HTTP input handling: used by the admin API and the HTTP protocols, so it imports only core.
  http: /^(protocols|store|server|cli|api|pipeline|ledger|mask|policy|identity|reasoning)/,
  // Traces are built from the ledger's events and the reasoning tree; the server wires them.
  tracing: /^(protocols|store|server|cli|api|pipeline|policy|identity|mask)/,
  'demo-model': /^(protocols|store|server|cli|api|pipeline|ledger)/,
  // A standalone transparency-log witness: it knows checkpoints and proofs (ledger/), nothing of the gateway.
  witness: /^(protocols|store|server|cli|api|pipeline|mask|policy|identity|reasoning|http)/,
  // Metrics implement the pipeline's observer port and read through ports the server hands them.
  metrics: /^(protocols|store|server|cli|api|policy|reasoning|relay|ledger|mask)/,
  // The re-run endpoint speaks the LLM connection's routes and wire errors (protocols/llm), nothing more.
  rerun:
    /^(protocols$|protocols\/(?!llm$)|store|server|cli|api|pipeline|ledger|policy|identity|relay|reasoning)/,
  // SCIM provisioning: an edge like the admin API (it may use an admin route's type), never a protocol.
  scim: /^(protocols|store|server|cli)/,
  // The store factory: imports the backends (store/*), which never import it back.
  store: /^(protocols|server|cli|api|pipeline|mask|policy|identity|reasoning)/,
  // SIEM forwarding reads the log through core's ports; the server hands it what it needs.
  siem: /^(protocols|store|server|cli|api|pipeline|mask|policy|identity|reasoning|http|relay)/,
};

test('imports point inward', () => {
  const violations: string[] = [];
  for (const file of sources('src')) {
    const from = area(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
      const target = relative('src', resolve(dirname(file), m[1]!));
      if (target.startsWith('..')) continue;
      const to = area(join('src', target));
      if (to === from) continue;
      // A module may use the contract (protocols/*.ts) but never another module, the server or a store.
      const forbidden = from.startsWith('protocols/')
        ? /^(protocols\/|server|cli|store)/
        : from.startsWith('store/')
          ? /^(protocols|server|cli|api|pipeline|store\/)/
          : FORBIDDEN[from];
      if (forbidden?.test(to)) violations.push(`${file} imports ${target} (${from} → ${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

/** Every TypeScript file of the project, tests included. */
function allSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) allSources(path, out);
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * Files outside src/store that may name the SQLite store: the conformance runner for SQLite, the
 * one helper that hands SQLite-only tests (tamper, fail-closed) the database handle, and the
 * ledger benches that measure SQLite itself (its write-ahead log's frames per commit).
 */
const SQLITE_ALLOWED = new Set([
  'test/store/sqlite.test.ts',
  'test/store/sqlite-handle.ts',
  'bench/ledger/run.ts',
  'bench/ledger/commit-pages.ts',
]);

test('stores: only src/store (and the allowed SQLite tests) import src/store/sqlite', () => {
  const sqlite = resolve('src/store/sqlite');
  const violations: string[] = [];
  for (const file of ['src', 'test', 'bench', 'scripts'].flatMap((dir) => allSources(dir))) {
    if (file.startsWith('src/store/') || SQLITE_ALLOWED.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]!);
      if (target === sqlite || target.startsWith(`${sqlite}/`)) violations.push(`${file} imports ${m[1]}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('stores: src/ledger holds no SQL and no database driver', () => {
  const SQL =
    /\b(?:SELECT\s[\s\S]*?\sFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX)|PRAGMA\s+\w+)\b/;
  const DRIVER = /from\s+'(?:better-sqlite3|pg|postgres)'/;
  const violations = allSources('src/ledger').flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [SQL.exec(text)?.[0], DRIVER.exec(text)?.[0]]
      .filter((hit) => hit !== undefined)
      .map((hit) => `${file}: ${hit}`);
  });
  assert.deepEqual(violations, []);
});

/** The layers that must know protocols only through the registry (src/protocols/index.ts). */
const PROTOCOL_NEUTRAL = ['core', 'pipeline', 'policy', 'server', 'api', 'cli', 'metrics'];
const REGISTRY_FILES = new Set(['protocols/index.ts', 'protocols/module.ts', 'protocols/registry.ts']);
/**
 * Exact lines where a protocol's word means something else: the SIEM sink type `http` and the store
 * type `postgres` (where the ledger lives) are no connection types.
 */
const NOT_A_PROTOCOL = new Set([
  "src/core/siem-config.ts:    type: z.literal('http'),",
  "src/core/config.ts:  type: z.literal('postgres'),",
]);

test('the protocol-neutral layers never import a protocol module or name a protocol', async () => {
  const { PROTOCOLS } = await import('../../src/protocols/index.js');
  const names = new Set<string>();
  for (const m of PROTOCOLS.modules) {
    names.add(m.name);
    for (const type of Object.keys(m.connectionTypes)) names.add(type);
  }
  const violations: string[] = [];
  for (const file of sources('src')) {
    if (!PROTOCOL_NEUTRAL.includes(area(file))) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from '([^']+)'/g)) {
      const target = relative('src', resolve(dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      if (target.startsWith('protocols/') && !REGISTRY_FILES.has(target)) {
        violations.push(`${file} imports ${m[1]}`);
      }
    }
    for (const line of text.split('\n')) {
      if (NOT_A_PROTOCOL.has(`${file}:${line}`)) continue;
      for (const m of line.matchAll(/(['"`])([a-z][a-z0-9-]*)\1/g)) {
        if (names.has(m[2]!)) violations.push(`${file} names the protocol ${m[0]}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('the check above can fail: a file comparing a connection type to a protocol name is caught', () => {
  const text = "if (c.type === 'postgres') return;";
  assert.ok([...text.matchAll(/(['"`])([a-z][a-z0-9-]*)\1/g)].some((m) => m[2] === 'postgres'));
});

test('metrics: only src/metrics imports prom-client; the pipeline reports through its observer port', () => {
  const violations = sources('src')
    .filter((file) => !file.startsWith('src/metrics/'))
    .filter((file) => /from\s+'prom-client'/.test(readFileSync(file, 'utf8')));
  assert.deepEqual(violations, []);
  assert.match(readFileSync('src/metrics/gateway-metrics.ts', 'utf8'), /from 'prom-client'/);
});
