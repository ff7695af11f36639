// `vigil start` on an address another process holds: a clear error with a stable code, what had
// started stopped, and the process gone. It used to print Node's stack trace and then hang, the
// stand-in model and everything else it had started still running.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

test('vigil start on a port in use exits 2 with listen_in_use', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  try {
    const data = mkdtempSync(join(tmpdir(), 'vigil-port-in-use-'));
    const run = await runCli(
      ['--data', data, 'start', '--no-postgres', '--no-ssh', '--listen', `127.0.0.1:${port}`],
      // The demo runs here, whatever this machine's directory holds.
      { VIGIL_CONFIG: '' },
    );
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^vigil: 127\\.0\\.0\\.1:${port} is in use by another process.*\\[listen_in_use\\]\\n$`,
        's',
      ),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    holder.close();
  }
});
