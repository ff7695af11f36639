// When an event cannot be persisted, the request does not reach the upstream and the client gets a
// clear error (fail-closed); with on_record_failure: fail-open, it goes through.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel | undefined;
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close().catch(() => undefined);
  await model?.close();
});

async function setup(mode: 'fail-closed' | 'fail-open') {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    on_record_failure: mode,
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
  });
  return { model, gateway };
}

const ask = (gw: TestGateway, content: string) =>
  fetch(`${gw.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] }),
  });

/**
 * A data directory on a tiny filesystem that can be filled for real. Where mounting is not allowed,
 * null: the test then uses SQLite's own page limit on an inline writer instead.
 */
function tinyFilesystem(): { dir: string; fill(): void; release(): void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tinyfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(64 * 1024, 1);
      const fd = openSync(join(dir, 'filler'), 'w');
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        // ENOSPC: the filesystem is full
      } finally {
        closeSync(fd);
      }
    },
    release() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    },
  };
}

test('disk full: the request is refused with record_failed and never reaches the model', async () => {
  const fs = tinyFilesystem();
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway(
    {
      on_record_failure: 'fail-closed',
      append_in_worker: fs !== null,
      connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
    },
    fs?.dir,
  );
  try {
    assert.equal((await ask(gateway, 'warm-up')).status, 200);
    const seen = model.requests.length;
    if (fs) {
      fs.fill();
    } else {
      // SQLite's own "database or disk is full": the file may not grow past its current pages.
      const db = sqliteDatabase(gateway.store);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    }
    const res = await ask(gateway, 'x'.repeat(200_000));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
    const body = (await res.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'record_failed');
    assert.equal(model.requests.length, seen, 'nothing reached the upstream');
  } finally {
    await gateway.close().catch(() => undefined);
    fs?.release();
  }
});

test('store down: requests are refused, and the gateway stays up', async () => {
  const { model, gateway } = await setup('fail-closed');
  const seen = model.requests.length;
  sqliteDatabase(gateway.store).close();
  for (let i = 0; i < 3; i++) {
    const res = await ask(gateway, `attempt ${i}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
  }
  assert.equal(model.requests.length, seen);
  assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
});

test('fail-open forwards what cannot be recorded', async () => {
  const { model, gateway } = await setup('fail-open');
  assert.equal((await ask(gateway, 'warm-up')).status, 200);
  sqliteDatabase(gateway.store).close();
  const seen = model.requests.length;
  const res = await ask(gateway, 'unrecorded but served');
  assert.equal(res.status, 200);
  assert.equal(model.requests.length, seen + 1);
});
