// The documented error table must list every code, and nothing that is not a code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/core/errors.js';

test('docs/errors.md lists every error code with its status', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])] as const),
  );
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    assert.equal(documented.get(code), status, `docs/errors.md must list ${code} with status ${status}`);
  }
  for (const code of documented.keys())
    assert.ok(code in ERROR_CODES, `docs/errors.md lists unknown code ${code}`);
});
