// The rules for ambiguous edges on small hand-ordered recordings, shaped as the gateway records them:
// what makes an edge certain (one candidate completed before the request) or ambiguous, what the
// client's TCP connection may and may not do, and how the outcome path and `vigil tree` show it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../src/core/events.js';
import { buildReasoningTree, outcomePath, renderPath, renderTree } from '../../src/reasoning/index.js';
import { recordedResponse } from '../support/llm-records.js';
import { format, PROPOSE_PROMPT } from '../workloads/game24/prompts.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';

/** Two runs reach the state 2 4 6: run A by 3 - 1 from 1 3 4 6, run B by 1 + 1 from 1 1 4 6. */
const FIRST_STEP = {
  a: { input: '1 3 4 6', reply: '3 - 1 = 2 (left: 2 4 6)\n1 + 3 = 4 (left: 4 4 6)' },
  b: { input: '1 1 4 6', reply: '1 + 1 = 2 (left: 2 4 6)\n1 * 4 = 4 (left: 1 4 6)' },
};
const NEXT = { input: '2 4 6', reply: '2 * 6 = 12 (left: 4 12)\n4 + 2 = 6 (left: 6 6)' };

class Session {
  readonly recorder = new GatewayEventRecorder('ses_two_runs');

  request(id: string, input: string, clientConnection: string | null): void {
    const body: JsonObject = {
      model: 'gpt-4',
      messages: [{ role: 'user', content: format(PROPOSE_PROMPT, { input }) }],
    };
    this.recorder.append('llm.request', {
      requestId: id,
      api: 'openai.chat',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'gpt-4',
      stream: false,
      n: 1,
      body,
      parent: null,
      trace: null,
      clientConnection,
    });
  }

  response(id: string, text: string): void {
    this.recorder.append('llm.response', recordedResponse(id, [{ text }]));
  }
}

describe('ambiguous edges', () => {
  it('a reply completed after the request was sent is no candidate: the edge stays certain', () => {
    const s = new Session();
    s.request('a1', FIRST_STEP.a.input, 'p-1');
    s.request('b1', FIRST_STEP.b.input, 'p-2');
    s.response('b1', FIRST_STEP.b.reply);
    s.request('b2', NEXT.input, 'p-2');
    s.response('a1', FIRST_STEP.a.reply);
    s.response('b2', NEXT.reply);
    const tree = buildReasoningTree(s.recorder.events);
    const edge = tree.edges.find((e) => e.to === 'b2:0')!;
    assert.equal(edge.from, 'b1:0');
    assert.equal(edge.certainty, 'certain');
    assert.deepEqual(edge.candidates, [{ from: 'b1:0', fromLine: 0, sameClientConnection: true }]);
  });

  it('two completed replies with the same state make an ambiguous edge naming both, the same socket first', () => {
    for (const [childConnection, guess] of [
      ['p-2', 'b1:0'],
      ['p-1', 'a1:0'],
    ] as const) {
      const s = new Session();
      s.request('a1', FIRST_STEP.a.input, 'p-1');
      s.response('a1', FIRST_STEP.a.reply);
      s.request('b1', FIRST_STEP.b.input, 'p-2');
      s.response('b1', FIRST_STEP.b.reply);
      s.request('b2', NEXT.input, childConnection);
      s.response('b2', NEXT.reply);
      const tree = buildReasoningTree(s.recorder.events);
      const edges = tree.edges.filter((e) => e.to === 'b2:0');
      assert.equal(edges.length, 1);
      const edge = edges[0]!;
      assert.equal(edge.certainty, 'ambiguous');
      assert.equal(edge.from, guess, 'the best guess is the candidate on the child socket');
      assert.deepEqual(edge.candidates.map((c) => [c.from, c.fromLine, c.sameClientConnection]).sort(), [
        ['a1:0', 0, childConnection === 'p-1'],
        ['b1:0', 0, childConnection === 'p-2'],
      ]);
      assert.ok(edge.confidence < 0.55, 'less confident than a unique state match');
    }
  });

  it('without recorded connections the edge is just as ambiguous; the guess falls back to rank pairing', () => {
    const s = new Session();
    s.request('a1', FIRST_STEP.a.input, null);
    s.response('a1', FIRST_STEP.a.reply);
    s.request('b1', FIRST_STEP.b.input, null);
    s.response('b1', FIRST_STEP.b.reply);
    s.request('b2', NEXT.input, null);
    s.response('b2', NEXT.reply);
    const edge = buildReasoningTree(s.recorder.events).edges.find((e) => e.to === 'b2:0')!;
    assert.equal(edge.certainty, 'ambiguous');
    assert.equal(edge.from, 'a1:0', 'equal scores: the earlier candidate');
    assert.ok(edge.candidates.every((c) => c.sameClientConnection === null));
  });

  it('the outcome path follows the guess, says so, and names every candidate; vigil tree shows them', () => {
    const s = new Session();
    s.request('a1', FIRST_STEP.a.input, 'p-1');
    s.response('a1', FIRST_STEP.a.reply);
    s.request('b1', FIRST_STEP.b.input, 'p-2');
    s.response('b1', FIRST_STEP.b.reply);
    s.request('b2', NEXT.input, 'p-2');
    s.response('b2', NEXT.reply);
    const tree = buildReasoningTree(s.recorder.events);
    const path = outcomePath(tree, 'b2:0');
    assert.deepEqual(
      path.steps.map((step) => [step.nodeId, step.certainty, step.candidates]),
      [
        ['b1:0', null, []],
        ['b2:0', 'ambiguous', ['b1:0#0', 'a1:0#0']],
      ],
    );
    assert.match(
      renderPath(path),
      /\(containment [\d.]+, AMBIGUOUS: followed the first of b1:0#0 \| a1:0#0\)/,
    );
    assert.match(renderTree(tree), /b2:0 {2}<- containment [\d.]+ AMBIGUOUS: one of b1:0 L0 \| a1:0 L0/);
  });
});
