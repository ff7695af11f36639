// Two Game of 24 Tree-of-Thoughts runs by the same identity, at the same time, through the real
// gateway and without session headers: Vigil groups them into one session. The puzzles are paired so
// the runs reach the same states, hence byte-identical prompts; each run has its own HTTP client
// pool, as two processes would. The rebuilt tree must never be confidently wrong: a certain edge is
// right, a wrong edge is ambiguous and names the true parent among its candidates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  buildReasoningTree,
  outcomePath,
  type ReasoningEdge,
  renderTree,
} from '../../src/reasoning/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { concurrentTruth, scoreConcurrent } from '../workloads/concurrent-truth.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

/**
 * Pairs of puzzles whose searches meet: 5 - 4 and 3 - 2 both leave 1 6 10; 4 * 6 and 8 * 3 both
 * leave 24 with a 1 and a 5 or so on. The seed offsets the scripted model's sampling.
 */
const CASES = [
  { puzzles: ['4 5 6 10', '2 3 6 10'], seed: 0 },
  { puzzles: ['1 4 6 8', '1 3 6 8'], seed: 7_000 },
  { puzzles: ['2 4 6 8', '2 4 6 8'], seed: 13_000 },
  { puzzles: ['1 1 4 6', '1 2 4 6'], seed: 29_000 },
] as const;

let model: StubServer;
let gateway: TestGateway;
let sample = 0;

before(async () => {
  model = await startWorkloadModel((request, choice) => ({
    content: game24Reply(lastUserText(request), choice * 1000 + sample++),
  }));
  gateway = await startTestGateway({
    // One connection per case: the same identity on one connection would join one session for all.
    connections: CASES.map((_c, i) => ({
      name: `oa${i}`,
      type: 'llm-openai',
      upstream: model.baseURL.replace(/\/v1$/, ''),
      allow: ['*'],
    })),
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

/**
 * A client with its own connection pool, as a separate process has, and no session header. It
 * notes the request id Vigil gave each of its calls, in call order: the run's ordinals.
 */
function separateProcessClient(connection: string, pool: Agent, requestIds: string[]): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/${connection}/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    fetch: (async (url: string, init: RequestInit) => {
      const res = await undiciFetch(url, { ...(init as object), dispatcher: pool });
      requestIds.push(res.headers.get('x-vigil-request-id') ?? 'missing');
      return res;
    }) as unknown as typeof fetch,
  });
}

async function onlySession(connection: string) {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection, limit: 10 });
  assert.equal(sessions.length, 1, 'both runs were grouped into one session');
  return { id: sessions[0]!.id, events: await gateway.store.ledger.readSession(sessions[0]!.id) };
}

for (const [i, { puzzles, seed }] of CASES.entries()) {
  test(`concurrent runs ${puzzles.join(' | ')} (seed ${seed}) in one session: never confidently wrong`, {
    timeout: 180_000,
  }, async () => {
    sample = seed;
    const pools = puzzles.map(() => new Agent({ connections: 1 }));
    const requestIds = puzzles.map((): string[] => []);
    const runs = await Promise.all(
      puzzles.map((p, k) =>
        solveGame24(separateProcessClient(`oa${i}`, pools[k]!, requestIds[k]!), p, { hints: false }),
      ),
    ).finally(() => Promise.all(pools.map((p) => p.close())));
    const { id, events } = await onlySession(`oa${i}`);

    const truth = concurrentTruth(
      runs.map((r) => r.log),
      requestIds,
    );
    const prompts = runs.map(
      (_r, k) =>
        new Set(
          events
            .filter(
              (e) => e.type === 'llm.request' && truth.runOfRequest.get(String(e.payload!.requestId)) === k,
            )
            .map((e) => JSON.stringify(e.payload!.body)),
        ),
    );
    const shared = [...prompts[0]!].filter((p) => prompts[1]!.has(p)).length;
    assert.ok(shared > 0, 'the runs sent byte-identical prompts');

    const tree = buildReasoningTree(events);
    const score = scoreConcurrent(tree, truth);
    console.log(
      `${puzzles.join(' | ')} seed ${seed}: ${truth.parentOf.size} true edges, ${shared} identical prompts; ` +
        `certain ${score.certainEdges} (precision ${score.certainPrecision.toFixed(3)}), ` +
        `ambiguous ${score.ambiguousEdges} (${score.crossRunAmbiguous} across runs, best guess right ${score.ambiguousGuessedRight}), ` +
        `wrong ${score.wrongEdges}, recall ${score.recall.toFixed(3)}; evaluation targets ${score.evaluationTargets}, ` +
        `wrong ${score.wrongTargets} (unflagged ${score.unflaggedWrongTargets.length})`,
    );
    assert.ok(score.certainPrecision >= 0.98, `certain precision ${score.certainPrecision}`);
    assert.deepEqual(score.unflaggedWrongEdges, [], 'every wrong parent is a candidate of an ambiguous edge');
    assert.ok(score.recall >= 0.95, `recall ${score.recall}`);
    assert.deepEqual(score.unflaggedWrongTargets, [], 'every misattributed evaluation is marked ambiguous');

    // The outcome path follows the best guess through an ambiguous edge and says so at that step.
    // Every step it reaches by a wrong parent is flagged, with the true parent among the candidates.
    for (const [k, run] of runs.entries()) {
      if (!run.log.final) continue;
      const steps = outcomePath(tree, truth.nodeId(k, run.log.final.node)).steps;
      for (const step of steps.slice(1)) {
        const parent = truth.parentOf.get(step.nodeId);
        const previous = steps[steps.indexOf(step) - 1]!;
        if (previous.nodeId === parent) continue;
        assert.equal(step.certainty, 'ambiguous', `step ${step.nodeId} follows a guess and says so`);
        assert.ok(
          step.candidates.some((c) => c === parent || c.startsWith(`${parent}#`)),
          `step ${step.nodeId} names its true parent`,
        );
      }
    }
    assert.match(renderTree(tree), /AMBIGUOUS: one of /, '`vigil tree` shows the ambiguous edges');
    const api = await fetch(`${gateway.url}/api/sessions/${id}/tree`, {
      headers: { authorization: `Bearer ${TOKENS.alice}` },
    });
    assert.equal(api.status, 200);
    const served = (await api.json()) as { tree: { edges: ReasoningEdge[] } };
    const ambiguous = served.tree.edges.filter((e) => e.certainty === 'ambiguous');
    assert.equal(ambiguous.length, score.ambiguousEdges, 'the admin API serves the same ambiguous edges');
    assert.ok(ambiguous.every((e) => e.candidates.length >= 2 && e.candidates[0]!.from === e.from));

    // Without the TCP connection (events from before it was recorded, or one shared client pool)
    // the best guesses get worse, but certainty rests on content and order alone and still holds.
    const blind = buildReasoningTree(
      events.map((e) =>
        e.type === 'llm.request' && e.payload
          ? { ...e, payload: { ...e.payload, clientConnection: null } }
          : e,
      ),
    );
    const blindScore = scoreConcurrent(blind, truth);
    console.log(
      `  without the TCP connection: certain ${blindScore.certainEdges} (precision ${blindScore.certainPrecision.toFixed(3)}), ` +
        `ambiguous ${blindScore.ambiguousEdges} (best guess right ${blindScore.ambiguousGuessedRight}), ` +
        `all edges' first guess precision ${((blind.edges.length - blindScore.wrongEdges) / blind.edges.length).toFixed(3)}`,
    );
    assert.equal(blindScore.certainPrecision, score.certainPrecision);
    assert.deepEqual(blindScore.unflaggedWrongEdges, []);
    assert.equal(blindScore.recall, score.recall);
  });
}
