// `vigil demo-model --port` refuses a port it cannot listen on as a usage or listen_in_use error. A
// port above 65535 ended in Node's RangeError and a port in use (9090, the default, often is) in an
// EADDRINUSE stack trace.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

test('demo-model names a port out of range or in use, without a stack trace', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as { port: number };
  try {
    const inUse = await runCli(['demo-model', '--port', String(port)]);
    assert.equal(inUse.code, 2, inUse.stdout + inUse.stderr);
    assert.match(inUse.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is in use .*\\[listen_in_use\\]`));
    assert.doesNotMatch(inUse.stderr, /EADDRINUSE|\n\s+at /);

    const tooHigh = await runCli(['demo-model', '--port', '99999']);
    assert.equal(tooHigh.code, 2, tooHigh.stdout + tooHigh.stderr);
    assert.match(tooHigh.stderr, /--port must be 65535 or less, got 99999 \[usage\]/);
    assert.doesNotMatch(tooHigh.stderr, /RangeError|\n\s+at /);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
