// Extended thinking through Vigil with responses masked toward the client: a thinking block's
// signature is the provider's own (random by construction, so it looks like key material) and a
// tool loop must send it back unchanged, or the provider refuses the next turn. The stand-in model
// signs its thinking blocks and checks returned ones as the API does.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { TestGateway } from '../support/gateway.js';
import { type ModelClients, startAnthropicClients } from '../support/model-clients.js';

let clients: ModelClients<Anthropic>;
let gateway: TestGateway;
let direct: Anthropic;
let viaVigil: Anthropic;

before(async () => {
  clients = await startAnthropicClients('sk-ant-upstream-only-vigil-knows', {
    name: 'claude',
    mask_responses: true,
  });
  ({ gateway, direct, viaVigil } = clients);
});

after(() => clients?.close());

const first = (marker: string) => ({
  model: 'demo',
  max_tokens: 2048,
  thinking: { type: 'enabled' as const, budget_tokens: 1024 },
  messages: [{ role: 'user' as const, content: `Add two and two. ${marker}` }],
});

/** The second turn of the conversation, which returns the first reply (its thinking block included). */
const second = (marker: string, reply: Anthropic.Message) => ({
  ...first(marker),
  messages: [
    ...first(marker).messages,
    { role: 'assistant' as const, content: reply.content },
    { role: 'user' as const, content: 'And three more?' },
  ],
});

test('the stand-in refuses a thinking block whose signature was changed, as the API does', async () => {
  const reply = await direct.messages.create(first('direct-1'));
  const thinking = reply.content[0];
  assert.equal(thinking?.type, 'thinking');
  await direct.messages.create(second('direct-1', reply));
  const altered = {
    ...reply,
    content: [{ ...thinking, signature: `${thinking.signature.slice(0, -8)}AAAAAAA=` }],
  };
  await assert.rejects(
    direct.messages.create(second('direct-1', altered as Anthropic.Message)),
    (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.match(err.message, /Invalid `signature` in `thinking` block/);
      return true;
    },
  );
});

test('whole replies: the signature reaches the client and the record unchanged, and the next turn is accepted', async () => {
  const reply = await viaVigil.messages.create(first('marker-think-1'));
  const thinking = reply.content[0];
  assert.equal(thinking?.type, 'thinking');
  const expected = (await direct.messages.create(first('marker-think-1'))).content[0];
  assert.deepEqual(thinking, expected);
  const next = await viaVigil.messages.create(second('marker-think-1', reply));
  assert.equal(next.content[0]?.type, 'thinking');
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-think-1' });
  const events = await gateway.store.ledger.readSession(summary!.id);
  const recorded = JSON.stringify(events.filter((e) => e.type.startsWith('llm.')).map((e) => e.payload));
  assert.ok(recorded.includes(thinking.signature), 'the recorded reply and request keep the signature');
  assert.ok(!recorded.includes('[MASKED:key-material'), 'no signature was taken for key material');
});

test('streamed replies: the signature_delta arrives unchanged and the next turn is accepted', async () => {
  const reply = await viaVigil.messages.stream(first('marker-think-2')).finalMessage();
  const expected = await direct.messages.stream(first('marker-think-2')).finalMessage();
  assert.deepEqual(reply.content, expected.content);
  const next = await viaVigil.messages.stream(second('marker-think-2', reply)).finalMessage();
  assert.equal(next.content[0]?.type, 'thinking');
});

test('the thinking is recorded with the answer, streamed or whole', async () => {
  const streamed = await viaVigil.messages.stream(first('marker-think-3')).finalMessage();
  const whole = await viaVigil.messages.create(first('marker-think-4'));
  for (const [marker, reply] of [
    ['marker-think-3', streamed],
    ['marker-think-4', whole],
  ] as const) {
    const thinking = reply.content[0]?.type === 'thinking' ? reply.content[0].thinking : '';
    assert.match(thinking, new RegExp(marker));
    const [summary] = await gateway.store.ledger.listSessions({ search: marker });
    const responses = (await gateway.store.ledger.readSession(summary!.id)).filter(
      (e) => e.type === 'llm.response',
    );
    const recorded = responses.map((e) => (e.payload!.choices as { reasoning: string; text: string }[])[0]);
    assert.ok(
      recorded.some((c) => c?.reasoning === thinking && c.text !== '' && !c.text.includes(thinking)),
      `${marker}: ${JSON.stringify(recorded)}`,
    );
  }
});

test('a credential in a thinking text is still masked toward the client, whole or cut across deltas', async () => {
  const key = `sk-ant-api03-${'Q7w8E9r0T1'.repeat(9)}AA`;
  const reply = await viaVigil.messages.create(first(`with ${key} inside`));
  const text = JSON.stringify(reply.content);
  assert.ok(!text.includes(key) && text.includes('[MASKED:anthropic-key:'), text);
  let pieces = 0;
  const stream = viaVigil.messages.stream(first(`streamed ${key} inside`)).on('thinking', () => pieces++);
  const streamed = await stream.finalMessage();
  const thinking = streamed.content[0]?.type === 'thinking' ? streamed.content[0].thinking : '';
  assert.ok(pieces > 10, 'the key arrived cut across many thinking deltas');
  assert.ok(!thinking.includes(key) && thinking.includes('[MASKED:anthropic-key:'), thinking);
});
