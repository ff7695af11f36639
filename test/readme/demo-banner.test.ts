// The commands the demo prints at start work as printed. `vigil mcp tools` with no vigil.yaml knows
// no connections (the demo's exist only in the running gateway), so the banner's line names the
// demo's `tools` connection: printed bare, it answered "no tools pinned yet" after tools were pinned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoBanner } from '../../src/demo/demo-config.js';
import { sdkClient, startMcpFixture } from '../mcp/fixture.js';
import { runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';

test("the demo banner's mcp tools command lists the tools the demo pinned", async () => {
  const f = await startMcpFixture();
  try {
    const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
    await client.listTools(); // the first listing pins every tool
    await client.close();
    const line = demoBanner(f.gateway.url, f.gateway.dataDir)
      .split('\n')
      .find((l) => /npx vigil mcp tools\b/.test(l));
    assert.ok(line, 'the banner shows vigil mcp tools');
    const args = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2); // after `npx vigil`
    // Run as the demo's CLI runs: no vigil.yaml, the data directory given.
    const run = await runCli(['--data', f.gateway.dataDir, ...args]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^tools\s+add\s+pinned/m, `the banner's command printed:\n${run.stdout}`);
  } finally {
    await f.close();
  }
});
