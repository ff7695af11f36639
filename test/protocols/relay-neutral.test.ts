// src/relay is shared by every TCP protocol, so it may know core and the module context, never a
// protocol: no import from src/protocols, the server or a store, and no protocol's name.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { PROTOCOLS } from '../../src/protocols/index.js';

const RELAY = 'src/relay';

function relayFiles(): string[] {
  return readdirSync(RELAY)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(RELAY, f));
}

/** Problems in one relay source file: imports outside core, pipeline and the relay, and protocol names. */
function violations(file: string, text: string, names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const target = relative('src', resolve(dirname(file), m[1]!));
    if (!/^(core|pipeline|relay)\//.test(target)) found.push(`${file} imports ${m[1]}`);
  }
  for (const m of text.matchAll(/\b[A-Za-z]+\b/g)) {
    if (names.has(m[0].toLowerCase())) found.push(`${file} names ${m[0]}`);
  }
  return found;
}

const protocolNames = new Set(
  PROTOCOLS.modules.flatMap((m) => [m.name, ...Object.keys(m.connectionTypes)]).concat(['postgresql', 'sql']),
);

test('src/relay imports only core and the pipeline, and names no protocol', () => {
  const files = relayFiles();
  assert.ok(files.length >= 4);
  assert.deepEqual(
    files.flatMap((f) => violations(f, readFileSync(f, 'utf8'), protocolNames)),
    [],
  );
});

test('the check can fail: a relay file importing a protocol or naming one is caught', () => {
  const imports = "import { x } from '../protocols/llm/module.js';";
  assert.deepEqual(violations('src/relay/bad.ts', imports, protocolNames), [
    'src/relay/bad.ts imports ../protocols/llm/module.js',
    'src/relay/bad.ts names llm',
  ]);
  assert.deepEqual(violations('src/relay/bad.ts', '// PostgreSQL frames', protocolNames), [
    'src/relay/bad.ts names PostgreSQL',
  ]);
});
