// `vigil demo-model`: starts on the given port with the key from an env: reference, stops on SIGINT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/demo-model.js';

test('demo-model serves with the referenced key and stops on SIGINT', async () => {
  process.env.VIGIL_TEST_DEMO_MODEL_KEY = 'sk-cli-demo-0004';
  const program = new Command('vigil').exitOverride();
  register(program, () => undefined);
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  let running: Promise<unknown>;
  try {
    running = program.parseAsync(
      ['demo-model', '--port', '0', '--api-key', 'env:VIGIL_TEST_DEMO_MODEL_KEY'],
      {
        from: 'user',
      },
    );
    while (!lines.some((l) => l.includes('listening on'))) await new Promise((r) => setTimeout(r, 5));
  } finally {
    console.log = log;
  }
  const url = /listening on (\S+)/.exec(lines.join('\n'))![1]!;
  assert.equal((await fetch(`${url}/v1/models`)).status, 401);
  const ok = await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer sk-cli-demo-0004' } });
  assert.equal(ok.status, 200);
  process.emit('SIGINT');
  await running;
  await assert.rejects(fetch(`${url}/v1/models`), 'the server is closed');
});

test('demo-model rejects a bad port as a usage error', async () => {
  const program = new Command('vigil').exitOverride();
  register(program, () => undefined);
  await assert.rejects(
    program.parseAsync(['demo-model', '--port', 'eighty'], { from: 'user' }),
    (err: unknown) => (err as { code?: string }).code === 'usage',
  );
});
