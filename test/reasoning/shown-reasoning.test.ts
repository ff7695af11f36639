// The reasoning a model showed before its reply (recorded with each choice since 3 December) is a
// node's `reasoning`, a step's on the outcome path, and a line of `vigil tree`; events recorded
// before it was kept read as showing none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LlmChoice } from '../../src/core/llm-payloads.js';
import { buildReasoningTree, outcomePath, renderPath } from '../../src/reasoning/index.js';
import { recordedResponse } from '../support/llm-records.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';

function call(recorder: GatewayEventRecorder, id: string, prompt: string, choice: Partial<LlmChoice>): void {
  recorder.append('llm.request', {
    requestId: id,
    api: 'openai.chat',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'demo',
    stream: false,
    n: 1,
    body: { model: 'demo', messages: [{ role: 'user', content: prompt }] },
    parent: null,
    trace: null,
    clientConnection: null,
  });
  const response = recordedResponse(id, [choice]);
  // A choice recorded before reasoning was kept has no such field at all.
  if (choice.reasoning === undefined) delete (response.choices[0] as Partial<LlmChoice>).reasoning;
  recorder.append('llm.response', response);
}

test('a node, its outcome step and the tree text carry the reasoning the model showed', () => {
  const recorder = new GatewayEventRecorder('ses_reasoning');
  call(recorder, 'r1', 'What is two and two?', { text: 'Four.', reasoning: 'Two and two make four.' });
  call(recorder, 'r2', 'And before that?', { text: 'Nothing.' }); // recorded before reasoning was kept
  const tree = buildReasoningTree(recorder.events);
  const byRequest = new Map(tree.nodes.map((n) => [n.requestId, n]));
  assert.equal(byRequest.get('r1')?.reasoning, 'Two and two make four.');
  assert.equal(byRequest.get('r2')?.reasoning, '');
  const path = outcomePath(tree, byRequest.get('r1')!.id);
  assert.equal(path.steps.at(-1)?.reasoning, 'Two and two make four.');
  assert.match(renderPath(path), /\n {2}reasoned: Two and two make four\.\n {2}response: Four\./);
  assert.doesNotMatch(renderPath(outcomePath(tree, byRequest.get('r2')!.id)), /reasoned:/);
});
