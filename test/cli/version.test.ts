// `vigil --version` prints the package's version and exits 0, so an operator (or a bug report) can
// say which build recorded a ledger.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

test('vigil --version and -V print the package version and exit 0', async () => {
  for (const flag of ['--version', '-V']) {
    const run = await runCli([flag]);
    assert.equal(run.code, 0, `${flag}: ${run.stderr}`);
    assert.equal(run.stdout.trim(), version, flag);
  }
});
