// Every vigil.yaml example in the README and docs/ is one the gateway accepts: a key the schema does
// not know, a value of the wrong type or outside its choices fails here, not at a reader's start.
// Examples are often fragments, so what a fragment leaves out (a required key, the `connections:`
// above a list of connections) and placeholders written with an ellipsis (`token_sha256: 5e8f…`)
// are not held against it. A block whose keys are none of vigil.yaml's (a Prometheus scrape
// config, a demo-model script, one connection's `pool:`) is not a vigil.yaml example.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { configSchema } from '../../src/protocols/index.js';

interface Example {
  readonly source: string;
  readonly text: string;
}

function yamlExamples(file: string): Example[] {
  const markdown = readFileSync(file, 'utf8');
  const found: Example[] = [];
  for (const m of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    found.push({ source: `${file}:${markdown.slice(0, m.index).split('\n').length}`, text: m[1]! });
  }
  return found;
}

const TOP_LEVEL = new Set(Object.keys(configSchema.shape));

/** The example as a whole vigil.yaml, or null when it is not one. */
function asConfig(value: unknown): Record<string, unknown> | null {
  if (Array.isArray(value)) return { connections: value }; // a list of connections
  if (typeof value !== 'object' || value === null) return null;
  return Object.keys(value).some((k) => TOP_LEVEL.has(k)) ? (value as Record<string, unknown>) : null;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

const placeholder = (v: unknown): boolean =>
  (typeof v === 'string' && /…|\.\.\./.test(v)) || (Array.isArray(v) && v.some(placeholder));

/** What the schema refuses in the example, apart from what a fragment leaves out or leaves open. */
function refusals(example: Example): string[] | null {
  const config = asConfig(parse(example.text));
  if (!config) return null;
  const result = configSchema.safeParse(config);
  if (result.success) return [];
  return result.error.issues
    .filter((issue) => {
      const value = valueAt(config, issue.path);
      if (value === undefined && issue.code === 'invalid_type') return false; // left out
      return !placeholder(value);
    })
    .map((issue) => `${example.source}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
}

const files = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const examples = files.flatMap(yamlExamples);

test('the README and docs/ show vigil.yaml examples to check', () => {
  const checked = examples.filter((e) => refusals(e) !== null);
  assert.ok(checked.length >= 25, `only ${checked.length} vigil.yaml examples found`);
});

test('every vigil.yaml example in the README and docs/ is accepted', () => {
  assert.deepEqual(
    examples.flatMap((e) => refusals(e) ?? []),
    [],
  );
});

test('a misspelt key, a wrong type and a value outside its choices are refused', () => {
  const example = {
    source: 'example',
    text: [
      'on_record_failure: fail-sometimes',
      'aprovals: {}',
      'identities:',
      '  - name: alice',
      '    token_sha256: 5e8f…',
      'connections:',
      '  - name: web1',
      '    type: ssh',
      '    max_line_bytes: lots',
    ].join('\n'),
  };
  // The ssh connection also lacks its listen, upstream and user: a fragment may leave them out.
  const found = refusals(example)!.map((r) => r.split(': ')[1]);
  assert.deepEqual(found.sort(), ['(top level)', 'connections.0.max_line_bytes', 'on_record_failure']);
});
