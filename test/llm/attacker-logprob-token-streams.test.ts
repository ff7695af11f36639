// Logprobs spell the answer again token by token, and a stream hands them over one event at a time.
// A text completion's `logprobs.tokens` (with its `top_logprobs` maps) and a Responses delta's
// `logprobs` were masked event by event, so the credential Vigil injects, echoed by the model and
// cut across two events' tokens, reached a client without `mask_responses` whole once its reader
// joined them (a whole answer's and a done event's token lists likewise: each token alone was too
// short to be the key). The model is the stand-in (`vigil demo-model`), answering in tokens that cut
// the key at every offset and one character a token; the client is the official openai SDK. With
// `mask_responses` no detector's match may be spelled either.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { everyCut, leaks, perCharacter } from './split-secret-streams.js';

const CREDENTIAL = 'Vg-Logprob"Token\\Key-0123456789abcdef';
/** A key the masker's detectors find, which only `mask_responses` keeps from the client. */
const DETECTED = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';

/** The answer as the model's tokens: each key cut at every offset, then one character a token. */
function answerTokens(): string[] {
  const cut = (key: string) => [...everyCut(key), 'whole: ', ...perCharacter(key), ' end. '];
  return ['The keys: ', ...cut(CREDENTIAL), ...cut(DETECTED)];
}

let model: DemoModel;
let gateway: TestGateway;
let plain: OpenAI;
let masked: OpenAI;

before(async () => {
  process.env.VIGIL_LLM_LOGPROB_TOKENS_CREDENTIAL = CREDENTIAL;
  const credential = 'env:VIGIL_LLM_LOGPROB_TOKENS_CREDENTIAL';
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    apiKey: CREDENTIAL,
    respond: () => ({ tokens: answerTokens() }),
  });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, credential, allow: ['*'] },
      {
        name: 'oa-masked',
        type: 'llm-openai',
        upstream: model.url,
        credential,
        allow: ['*'],
        mask_responses: true,
      },
    ],
  });
  const client = (name: string) =>
    new OpenAI({ baseURL: `${gateway.url}/c/${name}/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  plain = client('oa');
  masked = client('oa-masked');
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

/** What a client reads from the logprobs it got: the tokens joined, and every alternative joined. */
interface Read {
  tokens: string;
  alternatives: string;
  /** Every event or answer as JSON, for any spelling of a key anywhere in it. */
  raw: string[];
}

function read(): Read {
  return { tokens: '', alternatives: '', raw: [] };
}

function readCompletion(out: Read, value: OpenAI.Completions.Completion): void {
  out.raw.push(JSON.stringify(value));
  const lp = value.choices[0]?.logprobs;
  out.tokens += (lp?.tokens ?? []).join('');
  for (const top of lp?.top_logprobs ?? []) out.alternatives += Object.keys(top ?? {}).join('');
}

interface Logprob {
  token: string;
  top_logprobs?: { token?: string }[];
}

function readTokens(out: Read, list: readonly Logprob[] | undefined): void {
  for (const entry of list ?? []) {
    out.tokens += entry.token;
    for (const alt of entry.top_logprobs ?? []) out.alternatives += alt.token ?? '';
  }
}

const ask = { model: 'demo', max_tokens: 2000 } as const;
const include: OpenAI.Responses.ResponseIncludable[] = ['message.output_text.logprobs'];

const CALLS: Record<string, (c: OpenAI) => Promise<Read[]>> = {
  'completion streamed': async (c) => {
    const out = read();
    const stream = await c.completions.create({ ...ask, prompt: 'keys?', logprobs: 1, stream: true });
    for await (const chunk of stream) readCompletion(out, chunk);
    return [out];
  },
  completion: async (c) => {
    const out = read();
    readCompletion(out, await c.completions.create({ ...ask, prompt: 'keys?', logprobs: 1 }));
    return [out];
  },
  'Responses streamed': async (c) => {
    const deltas = read();
    const done = read();
    const final = read();
    const stream = c.responses.stream({ model: 'demo', input: 'keys?', include });
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') readTokens(deltas, event.logprobs);
      else if (event.type === 'response.output_text.done') readTokens(done, event.logprobs);
      deltas.raw.push(JSON.stringify(event));
    }
    const response = await stream.finalResponse();
    const part = response.output.flatMap((i) => (i.type === 'message' ? i.content : []))[0];
    readTokens(final, part?.type === 'output_text' ? part.logprobs : undefined);
    final.raw.push(JSON.stringify(response));
    return [deltas, done, final];
  },
  Responses: async (c) => {
    const out = read();
    const response = await c.responses.create({ model: 'demo', input: 'keys?', include });
    const part = response.output.flatMap((i) => (i.type === 'message' ? i.content : []))[0];
    readTokens(out, part?.type === 'output_text' ? part.logprobs : undefined);
    out.raw.push(JSON.stringify(response));
    return [out];
  },
};

function assertNoKey(reads: Read[], key: string, what: string): void {
  for (const r of reads) {
    assert.equal(leaks(r.tokens, key), null, `${what}: the tokens spell the key: ${r.tokens.slice(0, 400)}`);
    assert.equal(leaks(r.alternatives, key), null, `${what}: the alternatives spell it`);
    for (const raw of r.raw) assert.equal(leaks(raw, key), null, `${what}: ${raw.slice(0, 300)}`);
  }
}

for (const [name, call] of Object.entries(CALLS)) {
  test(`${name}: without mask_responses the injected credential cut across tokens reaches no client`, async () => {
    const reads = await call(plain);
    const [first] = reads;
    // The logprobs are there, and the model's own words in them are the client's to read.
    assert.ok(first!.tokens.includes(DETECTED), 'the tokens are relayed as the model wrote them');
    assert.ok(first!.tokens.includes('[MASKED:known-secret:'), first!.tokens.slice(0, 300));
    assertNoKey(reads, CREDENTIAL, name);
    const record = JSON.stringify((await connectionEvents(gateway, 'oa', 'llm.response')).at(-1)!.payload);
    assert.equal(leaks(record, CREDENTIAL), null, 'the record');
  });

  test(`${name}: with mask_responses no detector's match cut across tokens reaches the client`, async () => {
    const reads = await call(masked);
    assertNoKey(reads, CREDENTIAL, name);
    assertNoKey(reads, DETECTED, name);
  });
}

test('every token the stand-in sent is accounted for: the client reads the text the tokens spell, masked', async () => {
  const stream = await plain.completions.create({ ...ask, prompt: 'keys?', logprobs: 1, stream: true });
  let text = '';
  let tokens = '';
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? '';
    tokens += (chunk.choices[0]?.logprobs?.tokens ?? []).join('');
  }
  assert.equal(tokens, text, 'the tokens spell the text the client reads');
  assert.equal(leaks(text, CREDENTIAL), null);
});
