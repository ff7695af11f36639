// What admitting one HTTP request costs the gateway in credential checks: the authenticator as the
// gateway builds it (revocation, disabled identities and SCIM checks included), for a signed Vigil
// token remembered as verified (the default), the same token verified on every request (the cache
// off: how every request was admitted before), and a static token from the configuration (a hash
// lookup: the floor), and a service-account token (a store lookup per request). LLM, MCP and HTTP clients send their bearer token with every request; a
// database or SSH client presents it once per connection. Rounds alternate the three subjects and
// the table gives medians of CPU µs per authentication and of the per-round ratios.
// Run: node --import tsx bench/identity/run.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessState } from '../../src/identity/access-state.js';
import type { Credential } from '../../src/identity/authenticator.js';
import { ConfigTokenAuthenticator, hashToken } from '../../src/identity/config-tokens.js';
import { GatewayAuthenticator } from '../../src/identity/gateway-authenticator.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { loadOrCreateTokenKey } from '../../src/identity/token-keys.js';
import { VigilTokens } from '../../src/identity/vigil-tokens.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { writeResultsSection } from '../support/results-file.js';

const CALLS = 2_000;
const WARMUP_ROUNDS = 3;
const ROUNDS = 15;
const STATIC_TOKEN = 'bench-static-token';

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-identity-'));
const store = await openStore(configSchema.parse({}), dataDir);
const access = new AccessState(store.access);
await access.refresh();
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
const authenticator = (vigilTokens: VigilTokens) =>
  new GatewayAuthenticator({ staticTokens, vigilTokens, accessStore: store.access, access });
const remembered = authenticator(new VigilTokens(key, 'vigil'));
const everyTime = authenticator(new VigilTokens(key, 'vigil', { cache: { max: 0 } }));
const { token } = await new VigilTokens(key, 'vigil').issue({
  subject: 'alice@example.com',
  groups: ['ai-eng'],
  roles: ['user'],
  ttlMs: 3_600_000,
});
const service = await createServiceToken(store.access, { name: 'agent', connections: [], ttlMs: 3_600_000 });

/** CPU µs per authentication over CALLS calls (one thread: the process's CPU time is its own). */
async function cpuPerCall(auth: GatewayAuthenticator, credential: Credential): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await auth.authenticate(credential);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / CALLS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const subjects = [
  { name: 'Vigil token, remembered as verified (default)', run: () => cpuPerCall(remembered, token) },
  { name: 'Vigil token, verified on every request (cache off)', run: () => cpuPerCall(everyTime, token) },
  { name: 'static token from the configuration', run: () => cpuPerCall(remembered, STATIC_TOKEN) },
  {
    name: 'service-account token (looked up in the SQLite store each request)',
    run: () => cpuPerCall(remembered, service.token),
  },
];
const samples = subjects.map(() => [] as number[]);
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  for (const [i, s] of subjects.entries()) {
    const us = await s.run();
    if (round >= WARMUP_ROUNDS) samples[i]!.push(us);
  }
}
await store.close();

const [cached, uncached] = samples as [number[], number[]];
const speedup = median(uncached.map((u, i) => u / cached[i]!));
const lines = [
  `Run: ${new Date().toISOString()}, Node ${process.version}, ${ROUNDS} rounds of ${CALLS} authentications per subject after ${WARMUP_ROUNDS} warm-up rounds, subjects alternating within each round.`,
  '',
  '| credential | CPU per authentication (median) | rounds |',
  '| --- | --- | --- |',
  ...subjects.map(
    (s, i) =>
      `| ${s.name} | ${median(samples[i]!).toFixed(1)} µs | ${Math.min(...samples[i]!).toFixed(1)}–${Math.max(...samples[i]!).toFixed(1)} µs |`,
  ),
  '',
  `Remembering verified tokens: ${speedup.toFixed(1)}× less CPU per request than verifying every time (median of the rounds' ratios); ${(median(uncached) - median(cached)).toFixed(0)} µs saved per request. The static token, a hash lookup, is the floor.`,
];
for (const line of lines) console.log(line);
writeResultsSection(
  'Admission: bearer-token checks per request',
  `Command: \`node --import tsx bench/identity/run.ts\` (the authenticator alone, in one process, as the gateway builds it: revocation, disabled-identity and SCIM checks included).\n\n${lines.join('\n')}`,
);
