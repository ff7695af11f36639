// The Game of 24 BFS workload through the official openai client; its recorded traffic rebuilt
// into a tree and compared with the tree the run logged itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { buildReasoningTree, outcomePath } from '../../src/reasoning/index.js';
import { compareTrees } from '../workloads/compare.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

const PUZZLES = ['4 5 6 10', '1 1 4 6', '2 3 5 12'];

let stub: StubServer;
let sample = 0;

before(async () => {
  stub = await startWorkloadModel((request, choice) => ({
    content: game24Reply(lastUserText(request), choice * 1000 + sample++),
  }));
});
after(() => stub.close());

async function run(puzzle: string, hints: boolean) {
  const recorder = new GatewayEventRecorder();
  const client = new OpenAI({
    baseURL: stub.baseURL,
    apiKey: 'vigil-token',
    fetch: recorder.fetch,
    maxRetries: 0,
  });
  const result = await solveGame24(client, puzzle, { hints });
  return { ...result, events: recorder.events };
}

describe('Game of 24 Tree-of-Thoughts BFS', () => {
  for (const puzzle of PUZZLES) {
    it(`rebuilds ${puzzle} without hints: edge precision >= 0.95, recall >= 0.9`, async () => {
      const { log, events } = await run(puzzle, false);
      assert.ok(log.edges.length >= 10, 'the run branched');
      const tree = buildReasoningTree(events);
      const cmp = compareTrees(tree, log, events);
      assert.ok(cmp.precision >= 0.95, `precision ${cmp.precision}: extra ${cmp.extraEdges}`);
      assert.ok(cmp.recall >= 0.9, `recall ${cmp.recall}: missing ${cmp.missingEdges}`);
      assert.deepEqual(cmp.evaluationMismatches, []);
      assert.deepEqual(cmp.statusMismatches, []);
      assert.equal(cmp.finalNode, log.final?.node);
      assert.deepEqual(
        outcomePath(tree).steps.map((s) => cmp.toOrdinal(s.nodeId)),
        log.outcomePath,
      );
    });

    it(`rebuilds ${puzzle} exactly with x-vigil-parent hints`, async () => {
      const { log, events } = await run(puzzle, true);
      const tree = buildReasoningTree(events);
      const cmp = compareTrees(tree, log, events);
      assert.deepEqual(cmp.extraEdges, []);
      assert.deepEqual(cmp.missingEdges, []);
      assert.ok(tree.edges.every((e) => e.evidence === 'hint'));
      assert.deepEqual(cmp.evaluationMismatches, []);
      assert.deepEqual(cmp.statusMismatches, []);
      assert.deepEqual(
        outcomePath(tree).steps.map((s) => cmp.toOrdinal(s.nodeId)),
        log.outcomePath,
      );
    });
  }

  it('attaches value calls as evaluations with ToT scores, not as children', async () => {
    const { events } = await run(PUZZLES[0]!, false);
    const tree = buildReasoningTree(events);
    const evaluated = new Set(tree.evaluations.map((e) => e.requestId));
    assert.ok(evaluated.size > 0);
    assert.ok(tree.nodes.every((n) => !evaluated.has(n.requestId)));
    for (const ev of tree.evaluations) {
      assert.equal(ev.kind, 'value');
      const want = ev.outputs.reduce(
        (a, o) => a + ({ sure: 20, likely: 1, impossible: 0.001 }[o.verdict!] ?? 0),
        0,
      );
      for (const t of ev.targets) assert.ok(Math.abs(t.score - want) < 1e-9);
    }
  });
});
