// Dependencies point inward (ARCHITECTURE.md): core imports nothing of ours; the ledger, masking,
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
  return parts[0] === 'protocols' || parts[0] === 'store' ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const FORBIDDEN: Record<string, RegExp> = {
  core: /.*/,
  ledger: /^(protocols|store|server|cli|api|pipeline|mask|policy|identity|reasoning)/,
  mask: /^(protocols|store|server|cli|api|ledger|pipeline|policy|identity|reasoning)/,
  reasoning: /^(protocols|store|server|cli|api|pipeline|policy|identity)/,
  policy: /^(protocols|store|server|cli|api)/,
  identity: /^(protocols|store|server|cli|api)/,
  pipeline: /^(protocols|store|server|cli|api)/,
  api: /^(store|server|cli)/,
  // Shared HTTP input handling: used by the admin API and the HTTP protocols, so it imports only core.
  http: /^(protocols|store|server|cli|api|pipeline|ledger|mask|policy|identity|reasoning)/,
  'demo-model': /^(protocols|store|server|cli|api|pipeline|ledger)/,
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
      const forbidden = from.startsWith('protocols/')
        ? /^(protocols|server|cli|store)/
        : from.startsWith('store/')
          ? /^(protocols|server|cli|api|pipeline|store)/
          : FORBIDDEN[from];
      if (forbidden?.test(to)) violations.push(`${file} imports ${target} (${from} → ${to})`);
    }
  }
  assert.deepEqual(violations, []);
});
