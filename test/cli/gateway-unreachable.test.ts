// A CLI command that talks to the gateway, run while no gateway listens, says so with its own code:
// it used to report upstream_unreachable, the code of a gateway that cannot reach its target, so a
// script could not tell "Vigil is down" from "the database behind Vigil is down".
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('commands that call the gateway report gateway_unreachable when none listens', async () => {
  const gateway = `http://127.0.0.1:${await closedPort()}`;
  for (const args of [
    ['approvals', 'list'],
    ['grants', 'list'],
    ['login', '--gateway', gateway],
  ]) {
    const run = await runCli(args, { VIGIL_GATEWAY: gateway, VIGIL_TOKEN: 'vt_unused' });
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /cannot reach the gateway at .*\[gateway_unreachable\]/, args.join(' '));
  }
});
