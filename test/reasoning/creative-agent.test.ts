// The creative-writing ToT workload and the tool-calling chain-of-thought agent, through the
// official openai client; rebuilt trees compared with the trees the runs logged themselves, and
// the agent's database statements linked to the turns that proposed them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { buildReasoningTree, linkActions, outcomePath } from '../../src/reasoning/index.js';
import { runAgent } from '../workloads/agent/agent.js';
import { agentReply, STATEMENTS } from '../workloads/agent/model.js';
import { compareTrees } from '../workloads/compare.js';
import { solveCreative } from '../workloads/creative/bfs.js';
import { creativeReply } from '../workloads/creative/model.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

const SENTENCES = [
  "It isn't difficult to do a handstand if you just stand on your hands. It caught him off guard that space smelled of seared steak. When she didn't like a guy who was trying to pick her up, she started using sign language. Each person who knows you has a different perception of who you are.",
  'The sky was the color of a bruise. He found the key under the third stone. Nobody answered the phone that night. The garden had grown wild by spring.',
];

let creativeStub: StubServer;
let agentStub: StubServer;
let sample = 0;

before(async () => {
  creativeStub = await startWorkloadModel((request, choice) => ({
    content: creativeReply(lastUserText(request), choice * 1000 + sample++),
  }));
  agentStub = await startWorkloadModel(agentReply);
});
after(async () => {
  await creativeStub.close();
  await agentStub.close();
});

function client(baseURL: string, recorder: GatewayEventRecorder): OpenAI {
  return new OpenAI({ baseURL, apiKey: 'vigil-token', fetch: recorder.fetch, maxRetries: 0 });
}

describe('creative writing Tree-of-Thoughts BFS (sample + vote)', () => {
  for (const [i, x] of SENTENCES.entries()) {
    for (const hints of [false, true]) {
      it(`rebuilds input ${i} ${hints ? 'exactly with hints' : 'without hints'}`, async () => {
        const recorder = new GatewayEventRecorder();
        const { log } = await solveCreative(client(creativeStub.baseURL, recorder), x, { hints });
        const tree = buildReasoningTree(recorder.events);
        const cmp = compareTrees(tree, log, recorder.events);
        assert.deepEqual(cmp.extraEdges, []);
        assert.deepEqual(cmp.missingEdges, []);
        assert.equal(log.edges.length, 5, 'five passages continue the kept plan');
        if (!hints) assert.ok(tree.edges.every((e) => e.evidence === 'string-prefix'));
        assert.deepEqual(cmp.evaluationMismatches, []);
        assert.deepEqual(cmp.statusMismatches, []);
        assert.ok(tree.evaluations.every((e) => e.kind === 'vote'));
        assert.equal(cmp.finalNode, log.final?.node);
        assert.deepEqual(
          outcomePath(tree).steps.map((s) => cmp.toOrdinal(s.nodeId)),
          log.outcomePath,
        );
      });
    }
  }
});

describe('chain-of-thought agent with tool calls', () => {
  async function run(hints: boolean) {
    const recorder = new GatewayEventRecorder();
    const { log } = await runAgent(client(agentStub.baseURL, recorder), {
      hints,
      // The database runs on its own connection: its own session, the same identity.
      runSql: (statement) => {
        recorder.append('db.query', { statement, parameters: [] }, 'ses_pg', 'pg-prod');
        return 'ok, 1204 rows';
      },
    });
    return { log, events: recorder.events };
  }

  for (const hints of [false, true]) {
    it(`rebuilds the conversation chain ${hints ? 'with hints' : 'from message prefixes'}`, async () => {
      const { log, events } = await run(hints);
      const llmEvents = events.filter((e) => e.sessionId === 'ses_workload');
      const tree = buildReasoningTree(llmEvents);
      const cmp = compareTrees(tree, log, llmEvents);
      assert.ok(log.edges.length >= 5);
      assert.deepEqual(cmp.extraEdges, []);
      assert.deepEqual(cmp.missingEdges, []);
      assert.ok(tree.edges.every((e) => e.evidence === (hints ? 'hint' : 'message-prefix')));
      assert.deepEqual(cmp.statusMismatches, []);
      assert.equal(tree.evaluations.length, 0);
      assert.equal(cmp.finalNode, log.final?.node);
      assert.deepEqual(
        outcomePath(tree).steps.map((s) => cmp.toOrdinal(s.nodeId)),
        log.outcomePath,
      );
    });
  }

  it('links each statement run on the database to the model turn that proposed it', async () => {
    const { log, events } = await run(false);
    const tree = buildReasoningTree(events.filter((e) => e.sessionId === 'ses_workload'));
    const cmp = compareTrees(tree, log, events);
    const links = linkActions(tree, events);
    const queries = events.filter((e) => e.type === 'db.query');
    assert.equal(links.length, queries.length);
    const byStatement = new Map(links.map((l) => [l.action.replace(/;$/, ''), l]));
    const proposer = (statement: string) => {
      const node = tree.nodes.findLast(
        (n) =>
          n.toolCalls.some((t) => t.arguments.includes(statement)) || n.response.includes(`${statement};`),
      );
      return node?.id;
    };
    for (const statement of Object.values(STATEMENTS)) {
      const link = byStatement.get(statement);
      assert.ok(link, `no link for ${statement}`);
      assert.equal(link.nodeId, proposer(statement));
    }
    const drop = byStatement.get(STATEMENTS.drop)!;
    assert.equal(drop.evidence, 'code-block');
    assert.ok(log.nodes.includes(cmp.toOrdinal(drop.nodeId)));
    // The DELETE was proposed in a code block and then run through the tool: the latest proposal wins.
    assert.equal(byStatement.get(STATEMENTS.delete)!.evidence, 'tool-call');
  });
});
