// Whoever hands an auditor a bundle file chooses its size. `vigil export` builds a bundle as one
// string, so a file that decodes to more than a string holds (512 MiB of UTF-16), or is past what one
// buffer holds (2 GiB), is none it made. Until 6 December `vigil verify --bundle` threw on such a
// file, a stack trace and exit code 2 (a usage error), where a script expects a report and 1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register as verify } from '../../src/cli/commands/verify.js';

async function vigil(...args: string[]): Promise<{ code: number; out: string }> {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  let code = 0;
  verify(program, (c) => (code = c));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'vigil', ...args]);
  } finally {
    console.log = log;
  }
  return { code, out: lines.join('\n') };
}

/** A sparse file of `bytes` (no disk used): NUL bytes, which decode to as many characters. */
function sparseBundle(dir: string, bytes: number): string {
  const file = join(dir, `bundle-${bytes}.json`);
  writeFileSync(file, '');
  truncateSync(file, bytes);
  return file;
}

for (const [what, bytes] of [
  ['longer than a string holds', 600 * 2 ** 20],
  ['larger than a buffer holds', 2 ** 31 + 1],
] as const) {
  test(`a bundle file ${what} is reported malformed (exit 1), not thrown`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-big-bundle-'));
    try {
      const file = sparseBundle(dir, bytes);
      const json = await vigil('verify', '--bundle', file, '--json');
      assert.equal(json.code, 1, json.out);
      const report = JSON.parse(json.out);
      assert.equal(report.ok, false);
      assert.equal(report.fault.kind, 'bundle_malformed');
      assert.match(report.fault.message, new RegExp(`\\(${bytes} bytes\\)`));
      const plain = await vigil('verify', '--bundle', file);
      assert.equal(plain.code, 1);
      assert.match(plain.out, /TAMPERED \[bundle_malformed\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
