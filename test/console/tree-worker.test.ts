// The gateway's reasoning trees come from its tree builder thread, on SQLite and on PostgreSQL: a
// recorded Tree-of-Thoughts run is built ahead of its first reader once it goes quiet, and what the
// routes answer (outline, node, path, whole tree) is exactly what building it in this process gives.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import { treeNode, treeOutline } from '../../src/api/routes/tree-outline.js';
import { buildSessionTree } from '../../src/api/routes/tree-reader.js';
import type { SessionSummary } from '../../src/core/events.js';
import { outcomePath } from '../../src/reasoning/index.js';
import { WorkerTrees } from '../../src/server/trees/worker-trees.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import { lastUserText } from '../workloads/scripted-model.js';

let sample = 0;
const model = await startWorkloadModel((request, choice) => ({
  content: game24Reply(lastUserText(request), choice * 1000 + sample++),
}));
after(() => model.close());

async function recordRun(gateway: TestGateway): Promise<SessionSummary> {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'tree-worker-run' },
  });
  await solveGame24(client, '4 5 6 10', { hints: false });
  await gateway.recorder.drain();
  const [session] = await gateway.store.ledger.listSessions({ connection: 'oa', limit: 1 });
  assert.ok(session);
  return session;
}

async function api(
  gateway: TestGateway,
  path: string,
): Promise<{ status: number; code: string | null; body: unknown }> {
  const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: await res.json() };
}

/** The JSON a value becomes on the wire (undefined members dropped). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

async function untilHeld(gateway: TestGateway, session: SessionSummary): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await gateway.trees.holds(session))) {
    assert.ok(Date.now() < deadline, 'the tree was not built ahead within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const store of ['sqlite', 'postgres'] as const) {
  test(`${store}: a quiet reasoning run is built ahead, and the routes answer what an in-process build gives`, {
    timeout: 180_000,
  }, async () => {
    const gateway = await startTestGateway(
      {
        console: { prebuild_min_calls: 5, prebuild_quiet: '100ms' },
        connections: [
          { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
        ],
      },
      undefined,
      { store },
    );
    try {
      const session = await recordRun(gateway);
      // Nobody has asked for the tree: only the prebuild can have built it.
      await untilHeld(gateway, session);

      const local = await buildSessionTree(gateway.store.ledger, session);
      assert.ok(local.tree.nodes.length > 5);
      const base = `/api/sessions/${session.id}/tree`;
      assert.deepEqual((await api(gateway, `${base}?outline=1`)).body, wire(treeOutline(local)));
      assert.deepEqual((await api(gateway, base)).body, wire(local));
      const node = local.tree.nodes[3]!;
      assert.deepEqual((await api(gateway, `${base}/nodes/${node.id}`)).body, wire(treeNode(local, node.id)));
      assert.deepEqual((await api(gateway, `${base}/path?node=${node.id}`)).body, {
        sessionId: session.id,
        path: wire(outcomePath(local.tree, node.id)),
      });
      const missing = await api(gateway, `${base}/nodes/no-such-node`);
      assert.equal(missing.status, 400);
      assert.equal(missing.code, 'usage');
    } finally {
      await gateway.close();
    }
  });
}

test('after a restart the latest long run is built ahead; with prebuild off nothing is', {
  timeout: 180_000,
}, async () => {
  const settings = (minCalls: number) => ({
    console: { prebuild_min_calls: minCalls, prebuild_quiet: '100ms' },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
  const first = await startTestGateway(settings(0));
  const session = await recordRun(first);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await first.trees.holds(session), false, 'prebuild_min_calls: 0 builds nothing ahead');
  await first.close();
  const again = await startTestGateway(settings(5), first.dataDir);
  try {
    // Its state now: the first gateway's shutdown ended it.
    const ended = await again.store.ledger.getSession(session.id);
    assert.ok(ended?.endedAt);
    await untilHeld(again, ended);
  } finally {
    await again.close();
  }
});

test('a purge reaches the kept tree: what was purged is never served from it', {
  timeout: 180_000,
}, async () => {
  const gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
  try {
    const session = await recordRun(gateway);
    const local = await buildSessionTree(gateway.store.ledger, session);
    const node = local.tree.nodes.find((n) => n.prompt.length > 20)!;
    const nodeUrl = `/api/sessions/${session.id}/tree/nodes/${node.id}`;
    // The prompt as it appears inside the JSON of an answer.
    const served = (body: unknown) => JSON.stringify(body).includes(JSON.stringify(node.prompt).slice(1, -1));
    assert.ok(served((await api(gateway, nodeUrl)).body), 'the prompt is served before the purge');
    assert.equal(await gateway.trees.holds(session), true, 'and the tree is kept');

    const purge = await runCli(['--data', gateway.dataDir, 'purge', '--before', '2999-01-01', '--json']);
    assert.equal(purge.code, 0, purge.stderr);
    assert.ok((JSON.parse(purge.stdout) as { purged: number }).purged > 0);
    assert.equal(await gateway.trees.holds(session), false, 'the kept tree is from before the purge');
    assert.ok(!served((await api(gateway, nodeUrl)).body), 'the purged prompt is not served');
    assert.ok(
      !served((await api(gateway, `/api/sessions/${session.id}/tree`)).body),
      'nor in the whole tree',
    );
  } finally {
    await gateway.close();
  }
});

test('a store the tree builder cannot open fails each request with its code, and nothing hangs', async () => {
  const trees = new WorkerTrees({
    store: { store: { type: 'sqlite' }, durability: 'full', append_in_worker: true },
    dataDir: mkdtempSync(join(tmpdir(), 'vigil-no-store-')),
    baseDir: process.cwd(),
  });
  const session = {
    id: 's_none',
    identity: { subject: 'alice', kind: 'user' as const, groups: [] },
    startedAt: '2026-01-01T00:00:00.000Z',
    lastEventAt: '2026-01-01T00:00:00.000Z',
    eventCount: 1,
  };
  try {
    await assert.rejects(trees.outline(session), { code: 'record_failed' });
    await assert.rejects(trees.prebuild('s_none'), { code: 'record_failed' });
  } finally {
    await trees.close();
  }
  await assert.rejects(trees.outline(session), { code: 'internal' });
});
