// The reasoning an OpenAI-compatible server shows before its answer (`reasoning_content`, as vLLM
// and DeepSeek send it) through Vigil with responses masked toward the client: recorded with the
// answer, whole or streamed, and a key in it masked for the client even when cut across deltas.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import type { TestGateway } from '../support/gateway.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

const KEY = `sk-ant-api03-${'R4t5Y6u7I8'.repeat(9)}AA`;
let clients: ModelClients<OpenAI>;
let gateway: TestGateway;
let viaVigil: OpenAI;

before(async () => {
  clients = await startOpenAiClients(
    'sk-upstream-only-vigil-knows-0003',
    { name: 'oa', mask_responses: true },
    {
      respond: (prompt) => {
        const asked = prompt.messages.at(-1)?.content ?? '';
        const secret = asked.includes('with-key') ? ` The key ${KEY} is in the notes.` : '';
        return { reasoning: `Two and two make four.${secret} ${asked}`, text: 'Four.' };
      },
    },
  );
  ({ gateway, viaVigil } = clients);
});

after(() => clients?.close());

/** The recorded choices of the session whose prompt holds `marker`. */
async function recorded(marker: string): Promise<{ text: string; reasoning: string }[]> {
  const [summary] = await gateway.store.ledger.listSessions({ search: marker });
  return (await gateway.store.ledger.readSession(summary!.id))
    .filter((e) => e.type === 'llm.response')
    .flatMap((e) => e.payload!.choices as { text: string; reasoning: string }[]);
}

test('reasoning is recorded beside the answer, whole and streamed', async () => {
  const whole = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'reasoning-8801' }],
  });
  const message = whole.choices[0]!.message as { content: string; reasoning_content?: string };
  assert.equal(message.reasoning_content, 'Two and two make four. reasoning-8801');
  let streamedReasoning = '';
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'reasoning-8802' }],
    stream: true,
  });
  for await (const chunk of stream) {
    streamedReasoning +=
      (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
  }
  assert.equal(streamedReasoning, 'Two and two make four. reasoning-8802');
  for (const marker of ['reasoning-8801', 'reasoning-8802']) {
    assert.ok(
      (await recorded(marker)).some(
        (c) => c.reasoning === `Two and two make four. ${marker}` && c.text === 'Four.',
      ),
      marker,
    );
  }
});

test('a key in the reasoning is masked for the client and the record, cut across deltas or not', async () => {
  let streamed = '';
  let pieces = 0;
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'with-key reasoning-8803' }],
    stream: true,
  });
  for await (const chunk of stream) {
    const piece = (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content;
    if (piece) {
      streamed += piece;
      pieces++;
    }
  }
  // The stand-in streams reasoning in pieces of 32 characters: the 108-character key crosses four.
  assert.ok(pieces >= 2, 'the reasoning arrived in several deltas');
  assert.ok(!streamed.includes(KEY) && streamed.includes('[MASKED:anthropic-key:'), streamed);
  // The calls of one caller share a session: the one with this marker is read.
  const choice = (await recorded('reasoning-8803')).find((c) => c.reasoning.includes('reasoning-8803'));
  assert.ok(choice && !choice.reasoning.includes(KEY) && choice.reasoning.includes('[MASKED:anthropic-key:'));
});
