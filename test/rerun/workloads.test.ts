// The post-mortem re-run: the Game of 24 Tree-of-Thoughts and the tool-using agent are recorded
// through a real gateway in front of the stand-in model; the model is stopped; `vigil rerun` (the
// real CLI) serves the recording, and the same, unchanged client code runs against it. The client
// sees the same answers (its own tree log, response ids included, is identical), and the reasoning
// tree rebuilt from the re-run (recorded by a second gateway in front of the re-run endpoint) is
// the recorded tree. A client changed at one step is told where it diverged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { StoredEvent } from '../../src/core/events.js';
import { buildReasoningTree } from '../../src/reasoning/index.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { runAgent } from '../workloads/agent/agent.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import type { TrueTreeLog } from '../workloads/true-tree.js';
import { type Recording, sessionNamed, startRecording } from './recording.js';
import { killLeftoverReruns, startRerun } from './rerun-cli.js';

let rec: Recording;
let modelStopped = false;

before(async () => {
  rec = await startRecording();
});

after(async () => {
  killLeftoverReruns();
  await rec?.gateway.close();
  if (!modelStopped) await rec?.model.close();
});

function client(baseURL: string, session: string, fetchImpl?: typeof fetch): OpenAI {
  return new OpenAI({
    baseURL,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': session },
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

/** A tree with request ids replaced by their order; the session, times and sequence numbers left out. */
function comparable(events: StoredEvent[]): unknown {
  const tree = buildReasoningTree(events);
  let text = JSON.stringify(tree);
  const ids = events.filter((e) => e.type === 'llm.request').map((e) => String(e.payload?.requestId));
  ids.forEach((id, i) => {
    text = text.split(id).join(`#${i}`);
  });
  return JSON.parse(text, (key, value) => (['time', 'seq', 'sessionId'].includes(key) ? undefined : value));
}

/**
 * The client's own tree log, less the response ids: some upstream ids look like high-entropy tokens
 * and are masked in the ledger, and the re-run serves what the ledger holds.
 */
function withoutIds(log: TrueTreeLog) {
  const { responseIds: _ids, ...rest } = log;
  return { ...rest, evaluations: [...log.evaluations], status: [...log.status] };
}

const runSql = (statement: string) => `ok: ${statement.split(' ')[0]} 1204`;

async function agentRun(c: OpenAI) {
  const { log, messages } = await runAgent(c, { hints: false, runSql });
  return { log, messages };
}

test('recorded, then re-run with no model: Game of 24 and the agent rebuild the same trees', {
  timeout: 600_000,
}, async () => {
  const oa = `${rec.gateway.url}/c/oa/v1`;
  const g24 = await solveGame24(client(oa, 'rerun-g24'), '4 5 6 10', { hints: false });
  const agent = await agentRun(client(oa, 'rerun-agent'));
  const g24Session = await sessionNamed(rec.gateway, 'oa', 'rerun-g24');
  const agentSession = await sessionNamed(rec.gateway, 'oa', 'rerun-agent');
  await rec.model.close();
  modelStopped = true;

  // A second gateway records the re-run, so the tree is rebuilt from its traffic as from the first.
  const g24Rerun = await startRerun(rec.configFile, g24Session.id, [], rec.env);
  const witness = await startTestGateway({
    connections: [{ name: 'oa', type: 'llm-openai', upstream: g24Rerun.url, allow: ['*'] }],
  });
  try {
    const again = await solveGame24(client(`${witness.url}/c/oa/v1`, 'g24-again'), '4 5 6 10', {
      hints: false,
    });
    assert.deepEqual(again.ys, g24.ys);
    assert.deepEqual(withoutIds(again.log), withoutIds(g24.log));
    const rerunSession = await sessionNamed(witness, 'oa', 'g24-again');
    assert.deepEqual(comparable(rerunSession.events), comparable(g24Session.events));
  } finally {
    await witness.close();
  }
  const g24Stopped = await g24Rerun.stop();
  assert.equal(g24Stopped.code, 0, g24Stopped.stderr);
  const calls = g24Session.events.filter((e) => e.type === 'llm.request').length;
  assert.equal(g24Stopped.report.requests, calls);
  assert.equal(g24Stopped.report.answered, calls);
  assert.deepEqual(g24Stopped.report.unmatched, []);
  assert.deepEqual(g24Stopped.report.unserved, []);
  assert.match(
    g24Stopped.stdout,
    new RegExp(`${calls} requests, ${calls} answered from the recording, 0 without`),
  );

  const agentRerun = await startRerun(rec.configFile, agentSession.id, [], rec.env);
  const agentAgain = await agentRun(client(`${agentRerun.url}/v1`, 'agent-again'));
  const agentStopped = await agentRerun.stop();
  assert.deepEqual(agentAgain.messages, agent.messages);
  assert.deepEqual(withoutIds(agentAgain.log), withoutIds(agent.log));
  assert.deepEqual(agentStopped.report.unmatched, []);
  assert.equal(
    agentStopped.report.answered,
    agentSession.events.filter((e) => e.type === 'llm.request').length,
  );

  // Reading the recording is itself recorded, as for `vigil replay` and `vigil tree`.
  await rec.gateway.recorder.drain();
  const cli = await rec.gateway.store.ledger.listSessions({ connection: 'cli', limit: 100 });
  const viewed = await Promise.all(cli.map((s) => rec.gateway.store.ledger.readSession(s.id)));
  const reruns = viewed.flat().filter((e) => e.type === 'audit.viewed' && e.payload?.what === 'rerun');
  assert.deepEqual(reruns.map((e) => e.payload?.session).sort(), [agentSession.id, g24Session.id].sort());

  // The same Game of 24 client with its third prompt changed: an error in OpenAI's format, and a
  // report that names the request, the recorded one it came closest to, and where they part.
  let sent = 0;
  const rewording: typeof fetch = async (input, init) => {
    if (++sent === 3 && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { messages: { content: string }[] };
      body.messages[0]!.content += '\nThink carefully.';
      return fetch(input, { ...init, body: JSON.stringify(body) });
    }
    return fetch(input, init);
  };
  const changed = await startRerun(rec.configFile, g24Session.id, [], rec.env);
  const failure = await solveGame24(client(`${changed.url}/v1`, 'g24-changed', rewording), '4 5 6 10', {
    hints: false,
  }).then(
    () => null,
    (err: unknown) => err,
  );
  const stopped = await changed.stop();
  assert.ok(failure instanceof OpenAI.APIError, String(failure));
  assert.equal(failure.status, 404);
  assert.equal((failure.error as { code?: string }).code, 'rerun_no_recorded_answer');
  assert.equal(stopped.code, 1, 'a diverging re-run exits 1');
  assert.equal(stopped.report.unmatched.length, 1);
  const miss = stopped.report.unmatched[0]!;
  assert.equal(miss.position, 3);
  assert.equal(miss.reason, 'no_match');
  assert.equal(miss.closest?.position, 3);
  assert.equal(miss.divergence?.in, 'prompt');
  assert.match(miss.divergence!.rerun, /\nThink carefully\.$/);
  assert.doesNotMatch(miss.divergence!.recorded, /Think carefully/);
  assert.match(
    stopped.stdout,
    /request #3 \(openai\.chat\): no recorded answer; closest recorded request #3/,
  );
});
