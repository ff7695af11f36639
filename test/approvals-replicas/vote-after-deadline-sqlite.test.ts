// A gateway on the embedded SQLite store, with another process writing to the same file (a second
// gateway process or the CLI): a model request held for review, whose review times out after a few
// seconds, and an approval given just before the deadline while the other process holds the write
// lock past it. Until 7 December the approval counted: the vote was stamped before its decision was
// recorded (the recording waited for the lock), the store never looked at the deadline, and the
// expiry, queued behind the vote, found the request approved: the held prompt went to the model
// after its deadline. The vote is now stamped as it goes to the store, which refuses it at or after
// the deadline (ApprovalStore.addVote): the request ends as expired.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { embeddedLedgerFile } from '../../src/store/index.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { postApi } from '../support/replicas.js';
import { holdPrompt, reviewedPrompts, sleep } from './late-vote-fixture.js';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    ...reviewedPrompts(model.url),
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
});

/**
 * Another process on the same file, started ahead (a process starts slowly under load): `lock(ms)`
 * has it take the write lock and keep it `ms` on its own clock, as the gateway's thread may block
 * on the lock meanwhile. Resolves once the lock is held.
 */
async function writerOn(file: string): Promise<{ lock(ms: number): Promise<void>; child: ChildProcess }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    process.stdout.write('ready\\n');
    process.stdin.once('data', (ms) => {
      db.prepare('BEGIN IMMEDIATE').run();
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(String(ms).trim()));
      db.prepare('COMMIT').run();
      db.close();
      process.exit(0);
    });`;
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const said = async (word: string) => {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(chunk.toString().trim(), word);
  };
  await said('ready');
  return {
    child,
    lock: async (ms) => {
      child.stdin!.write(`${Math.max(0, Math.round(ms))}\n`);
      await said('locked');
    },
  };
}

test('an approval that waited for the write lock past the deadline is refused, and the prompt never runs', async () => {
  const { answer, held } = await holdPrompt(gateway);
  const deadline = Date.parse(held.expiresAt);

  // The lock is taken 2 s before the deadline and let go 0.8 s after it.
  const writer = await writerOn(embeddedLedgerFile(gateway.config, gateway.dataDir)!);
  const exited = once(writer.child, 'exit');
  await sleep(deadline - 2_000 - Date.now());
  await writer.lock(deadline + 800 - Date.now());
  assert.ok(Date.now() < deadline - 500, 'the lock was taken too late to tell anything');
  const approved = postApi(gateway, TOKENS.audrey, `/api/approvals/${held.id}/approve`, {
    reason: 'looks fine',
  });

  const result = await answer;
  assert.deepEqual(
    result,
    { ok: false, code: 'approval_timeout' },
    'the prompt was released after its deadline',
  );
  assert.equal(model.requests.filter((r) => JSON.stringify(r).includes('late approval')).length, 0);
  const refused = await approved;
  assert.equal(refused.code, 'approval_closed', JSON.stringify(refused.body));
  await exited;
  const stored = await gateway.store.approvals.getApproval(held.id);
  assert.equal(stored?.status, 'expired');
  assert.deepEqual(stored?.votes, [], 'the late approval is not stored');
  assert.equal(gateway.approvals.service.holding, 0);
  await assertLedgerVerifies(gateway);
});
