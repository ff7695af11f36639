// A rejection no code handled is logged and the gateway process keeps serving; without the handler
// the same process ends (the control, which shows the scenario is real). Run in child processes:
// the test runner treats a rejection in its own process as a failed test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

function runWith(install: boolean) {
  const script = `
    import { createLogger } from ${JSON.stringify(here('./logger.ts'))};
    import { keepServingOnUnhandledRejection } from ${JSON.stringify(here('./unhandled-rejections.ts'))};
    const logger = createLogger('info', (line) => line, process.stdout);
    if (${install}) keepServingOnUnhandledRejection(logger);
    Promise.reject(new Error('a slip in one connection'));
    setTimeout(() => { console.log('still serving'); process.exit(0); }, 100);
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

test('an unhandled rejection is logged and the process keeps serving', () => {
  const run = runWith(true);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /still serving/);
  const line = run.stdout.split('\n').find((l) => l.includes('a slip in one connection'));
  assert.ok(line, run.stdout);
  const logged = JSON.parse(line) as { level: number; msg: string };
  assert.equal(logged.level, 50, 'logged as an error');
  assert.match(logged.msg, /keeps serving/);
});

test('without the handler the same rejection ends the process (the control)', () => {
  const run = runWith(false);
  assert.notEqual(run.status, 0);
  assert.doesNotMatch(run.stdout, /still serving/);
});
