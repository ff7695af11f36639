// The tree API reads only what the tree uses (Store.readSessionContent with TREE_EVENTS: model
// traffic and actions, a response without its upstream body's choices and usage, a request without
// its tool definitions). Rebuilt from that, every workload's tree, outline, outcome path and action
// links must be exactly those rebuilt from the full read, on a plain store and on one whose payloads
// are all in object storage (the wrapper cuts them after fetching).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { treeOutline } from '../../src/api/routes/tree-outline.js';
import { TARGET_ACTION_TYPES } from '../../src/core/actions.js';
import type { StoredEvent } from '../../src/core/events.js';
import type { StoreBundle } from '../../src/core/ports.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { configSchema } from '../../src/protocols/index.js';
import { actionEventsAround, outcomePath, sessionTreeJson, TREE_EVENTS } from '../../src/reasoning/index.js';
import { openStore } from '../../src/store/index.js';
import { runAgent } from '../workloads/agent/agent.js';
import { agentReply } from '../workloads/agent/model.js';
import { solveCreative } from '../workloads/creative/bfs.js';
import { creativeReply } from '../workloads/creative/model.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

let stubs: StubServer[] = [];
let sample = 0;
/** Every workload's events, its reasoning sessions and the agent's database session. */
let recorded: StoredEvent[] = [];

const client = (stub: StubServer, events: GatewayEventRecorder) =>
  new OpenAI({ baseURL: stub.baseURL, apiKey: 't', fetch: events.fetch, maxRetries: 0 });

before(async () => {
  const game24 = await startWorkloadModel((request, choice) => ({
    content: game24Reply(lastUserText(request), choice * 1000 + sample++),
  }));
  const creative = await startWorkloadModel((request, choice) => ({
    content: creativeReply(lastUserText(request), choice * 1000 + sample++),
  }));
  const agent = await startWorkloadModel(agentReply);
  stubs = [game24, creative, agent];
  const g = new GatewayEventRecorder('ses_game24');
  await solveGame24(client(game24, g), '4 5 6 10', { hints: false });
  const c = new GatewayEventRecorder('ses_creative');
  await solveCreative(client(creative, c), 'The sky was the color of a bruise. He found the key.', {
    hints: true,
  });
  const a = new GatewayEventRecorder('ses_agent');
  await runAgent(client(agent, a), {
    hints: false,
    runSql: (statement) => {
      a.append('db.query', { statement, parameters: [] }, 'ses_pg', 'pg-prod');
      return 'ok, 1204 rows';
    },
  });
  recorded = [...g.events, ...c.events, ...a.events];
});
after(async () => {
  for (const s of stubs) await s.close();
});

/** The recorded events, appended through a recorder as the gateway appends them. */
async function storeOf(
  payloads: Record<string, unknown>,
): Promise<{ store: StoreBundle; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lean-'));
  const store = await openStore(
    configSchema.parse({ append_in_worker: false, durability: 'normal', ...payloads }),
    dir,
  );
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const seen = new Set<string>();
  for (const e of recorded) {
    const { sessionId, type, connection, identity, time, payload } = e;
    if (!seen.has(sessionId)) {
      // As the gateway opens a session: its start event first, which the tree does not read.
      seen.add(sessionId);
      const protocol = type === 'db.query' ? 'postgres' : 'llm';
      const start = { protocol, client: '127.0.0.1' };
      await recorder.append(
        { sessionId, type: 'session.start', connection, identity, time, payload: start },
        protocol,
      );
    }
    await recorder.append({ sessionId, type, connection, identity, time, payload: payload! });
  }
  await recorder.drain();
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const [name, payloads] of [
  ['inline payloads', {}],
  ['payloads in object storage', { payloads: { offload_above: 0 } }],
] as const) {
  describe(`the lean read rebuilds the same trees (${name})`, () => {
    for (const id of ['ses_game24', 'ses_creative', 'ses_agent']) {
      it(id, async () => {
        const { store, close } = await storeOf(payloads);
        try {
          const ledger = store.ledger;
          const session = (await ledger.getSession(id))!;
          const full = await ledger.readSession(id);
          // The actions of the identity's other sessions as the tree API read them before: whole sessions, filtered.
          const others = await ledger.listSessions({ identity: session.identity.subject, limit: 200 });
          const fullActions = (
            await Promise.all(others.filter((s) => s.id !== id).map((s) => ledger.readSession(s.id)))
          )
            .flat()
            .filter((e) => (TARGET_ACTION_TYPES as readonly string[]).includes(e.type));
          const lean = await ledger.readSessionContent(id, TREE_EVENTS);

          // The lean read did leave things out, so the comparison below is not of two equal inputs.
          assert.ok(lean.length < full.length, 'session.start and the like are not read');
          const responses = lean.filter((e) => e.type === 'llm.response');
          assert.ok(responses.length > 0);
          for (const e of responses) {
            const body = e.payload!.body as { choices?: unknown; id?: unknown };
            assert.equal(e.payload!.usage, undefined);
            assert.equal(body.choices, undefined);
            assert.equal(typeof body.id, 'string');
          }

          const before = sessionTreeJson(id, full, fullActions);
          const now = sessionTreeJson(id, lean, await actionEventsAround(ledger, session));
          assert.ok(before.tree.nodes.length > 0);
          assert.deepEqual(now, before);
          assert.deepEqual(treeOutline(now), treeOutline(before));
          assert.deepEqual(outcomePath(now.tree), outcomePath(before.tree));
          if (id === 'ses_agent') {
            assert.ok(before.actions.length > 0, 'the agent statements are linked');
            const requests = lean.filter((e) => e.type === 'llm.request');
            assert.ok(requests.every((e) => (e.payload!.body as { tools?: unknown }).tools === undefined));
            assert.ok(
              full.some((e) => e.type === 'llm.request' && (e.payload!.body as { tools?: unknown }).tools),
            );
          }
        } finally {
          await close();
        }
      });
    }
  });
}
