// The proposer of a held action is looked for on the gateway's thread while the action waits, and
// the requester decides how long their model sessions are: a session over the bound is never read
// (its size is known from its summary), while a small one still names the proposer. The store is a
// stand-in that counts reads; the sessions are shaped as the gateway records them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordedResponse } from '../../test/support/llm-records.js';
import { GatewayEventRecorder, WORKLOAD_IDENTITY } from '../../test/workloads/gateway-events.js';
import type { SessionSummary } from '../core/events.js';
import type { Store } from '../core/ports.js';
import { MAX_SESSION_EVENTS, proposerLookup } from './proposer-lookup.js';

const STATEMENT = 'UPDATE accounts SET balance = 0 WHERE id = 1;';

/** A model session whose one turn proposes STATEMENT in a code block. */
function proposingSession(sessionId: string): GatewayEventRecorder {
  const recorder = new GatewayEventRecorder(sessionId);
  recorder.append('llm.request', {
    requestId: `${sessionId}-r1`,
    api: 'openai.chat',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'demo',
    stream: false,
    n: 1,
    body: { model: 'demo', messages: [{ role: 'user', content: 'fix the balance of account 1' }] },
    parent: null,
    trace: null,
    clientConnection: null,
  });
  recorder.append(
    'llm.response',
    recordedResponse(`${sessionId}-r1`, [{ text: `Run this:\n\`\`\`sql\n${STATEMENT}\n\`\`\`` }]),
  );
  return recorder;
}

function summary(id: string, eventCount: number): SessionSummary {
  const now = new Date().toISOString();
  return {
    id,
    connection: 'oa',
    protocol: 'llm-openai',
    identity: WORKLOAD_IDENTITY,
    startedAt: now,
    lastEventAt: now,
    endedAt: null,
    endReason: null,
    eventCount,
  };
}

test('a model session larger than the bound is not read; a small one still names the proposer', async () => {
  const sessions = { ses_huge: proposingSession('ses_huge'), ses_small: proposingSession('ses_small') };
  const read: string[] = [];
  // Only what the lookup uses: the listing (newest first) and whole-session reads, counted.
  const store = {
    listSessions: async () => [summary('ses_huge', MAX_SESSION_EVENTS + 1), summary('ses_small', 2)],
    readSession: async (id: keyof typeof sessions) => {
      read.push(id);
      // Recorded a minute ago: within the hour a proposal is looked for in.
      const recent = Date.now() - 60_000;
      return sessions[id].events.map((e, i) => ({ ...e, time: new Date(recent + i * 10).toISOString() }));
    },
  } as unknown as Store;
  const lookup = proposerLookup(store, new Set(['oa']));
  const found = await lookup(
    { sessionId: 'ses_db', connection: 'pg', identity: WORKLOAD_IDENTITY, protocol: 'postgres' },
    'db.query',
    { statement: STATEMENT },
  );
  assert.deepEqual(read, ['ses_small']);
  assert.equal(found?.session_id, 'ses_small');
  assert.equal(found?.evidence, 'code-block');
});
