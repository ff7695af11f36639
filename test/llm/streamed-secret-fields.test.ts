// Secret-named fields a model writes in its streamed answer (a `.env` line, a YAML `client_secret:`,
// a tool call's JSON arguments) through Vigil with `mask_responses: true`: the recorded copy masked
// them whole (embedded-fields.ts), but the client's stream ran the text rules only, which know
// neither the name nor a value of words, so the client read `STRIPE_API_KEY=harvest-moon-lantern` in
// clear. The stream now masks them as the record does, whichever words the deltas cut.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import type { TestGateway } from '../support/gateway.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

const ENV_VALUE = 'harvest-moon-lantern';
const YAML_VALUE = 'blue river stone';
const ARG_VALUE = 'amber tide lullaby';
let clients: ModelClients<OpenAI>;
let gateway: TestGateway;
let viaVigil: OpenAI;

before(async () => {
  clients = await startOpenAiClients(
    'sk-upstream-only-vigil-knows-0417',
    { name: 'oa', mask_responses: true },
    {
      respond: (prompt) => {
        const asked = String(prompt.messages.at(-1)?.content ?? '');
        if (asked.includes('tool'))
          return {
            toolCalls: [
              {
                name: 'login',
                arguments: `{"user": "ann", "client_secret": "${ARG_VALUE}", "scope": "read"}`,
              },
            ],
          };
        return {
          text: `Here is your .env (${asked}):\nDEBUG=true\nSTRIPE_API_KEY=${ENV_VALUE}\nclient_secret: ${YAML_VALUE}\nDone.`,
        };
      },
    },
  );
  ({ gateway, viaVigil } = clients);
});

after(() => clients?.close());

async function recordedText(marker: string): Promise<string> {
  const [summary] = await gateway.store.ledger.listSessions({ search: marker });
  const events = await gateway.store.ledger.readSession(summary!.id);
  return JSON.stringify(events.filter((e) => e.type === 'llm.response').map((e) => e.payload));
}

test('the stand-in cuts the values across deltas', async () => {
  const deltas: string[] = [];
  const stream = await clients.direct.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'fields-9100' }],
    stream: true,
  });
  for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta?.content ?? '');
  assert.ok(deltas.join('').includes(YAML_VALUE));
  assert.ok(!deltas.some((d) => d.includes(YAML_VALUE)));
});

test('a streamed .env secret of words does not reach the client, and is masked as recorded', async () => {
  let streamed = '';
  let pieces = 0;
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'fields-9101' }],
    stream: true,
  });
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content;
    if (piece) {
      streamed += piece;
      pieces++;
    }
  }
  // Still a stream (text that cannot be a field is not held for one).
  assert.ok(pieces > 3, `${pieces} pieces`);
  for (const v of [ENV_VALUE, YAML_VALUE, 'harvest', 'river'])
    assert.ok(!streamed.includes(v), `${v} in ${streamed}`);
  assert.match(streamed, /\nDEBUG=true\nSTRIPE_API_KEY=\[MASKED:secret-field:[0-9a-f]+\]\n/);
  assert.match(streamed, /\nclient_secret: \[MASKED:secret-field:[0-9a-f]+\]\nDone\.$/);
  // The client reads what the record holds.
  const record = await recordedText('fields-9101');
  assert.ok(!record.includes(ENV_VALUE) && !record.includes('river'), record);
  for (const masked of streamed.match(/\[MASKED:secret-field:[0-9a-f]+\]/g)!)
    assert.ok(record.includes(masked), masked);
});

test("a secret field in a tool call's streamed JSON arguments does not reach the client", async () => {
  let args = '';
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'tool fields-9102' }],
    tools: [{ type: 'function', function: { name: 'login', parameters: { type: 'object' } } }],
    stream: true,
  });
  for await (const chunk of stream)
    args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
  assert.ok(!args.includes('amber') && !args.includes('lullaby'), args);
  assert.match(
    args,
    /^\{"user": "ann", "client_secret": "\[MASKED:secret-field:[0-9a-f]+\]", "scope": "read"\}$/,
  );
  const record = await recordedText('fields-9102');
  assert.ok(!record.includes('lullaby'), record);
});
