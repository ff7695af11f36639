// What the re-run serves, through the official SDKs: a streamed call with n = 2 (usage included), a
// whole call with n = 2, a streamed call asked for whole, an Anthropic stream, and a prompt holding
// secrets (masked in the ledger) that still matches. Recorded through a real gateway in front of the
// stand-in model, re-run by the real CLI with the model stopped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { TOKENS } from '../support/gateway.js';
import { recordForFile } from './record-for-file.js';
import { type Recording, sessionNamed, UPSTREAM_KEY } from './recording.js';
import { startRerun } from './rerun-cli.js';

let rec: Recording;

recordForFile((r) => {
  rec = r;
});

const GITHUB_TOKEN = 'ghp_R8x2Kq9ZpL4mT7vB1nW6yC3dF5gH0jA2sE8u';
const SECRET_PROMPT = `ECHO deploy with ${GITHUB_TOKEN} and ${UPSTREAM_KEY}`;

/** The calls of the OpenAI session, as the SDK hands them to the client. */
async function openAiCalls(client: OpenAI) {
  const stream = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: 'ECHO streamed, two choices' }],
    n: 2,
    stream: true,
    stream_options: { include_usage: true },
  });
  const texts = ['', ''];
  const finish: (string | null)[] = [null, null];
  let usage: unknown = null;
  let id = '';
  for await (const chunk of stream) {
    id = chunk.id;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      texts[c.index] += c.delta.content ?? '';
      if (c.finish_reason) finish[c.index] = c.finish_reason;
    }
  }
  const whole = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: 'ECHO whole, two choices' }],
    n: 2,
  });
  const secret = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: SECRET_PROMPT }],
  });
  return { streamed: { id, texts, finish, usage }, whole, secret };
}

const ACROSS = { model: 'gpt-4', messages: [{ role: 'user' as const, content: 'ECHO across transports' }] };
async function anthropicCall(client: Anthropic) {
  return client.messages
    .stream({ model: 'gpt-4o', max_tokens: 200, messages: [{ role: 'user', content: 'ECHO from Claude' }] })
    .finalMessage();
}

const choiceView = (r: OpenAI.ChatCompletion) =>
  r.choices.map((c) => ({ index: c.index, content: c.message.content, finish: c.finish_reason }));

test('streams, n choices and masked prompts are served so the SDKs read what they read when recorded', {
  timeout: 300_000,
}, async () => {
  const openai = (baseURL: string, session: string) =>
    new OpenAI({
      baseURL,
      apiKey: TOKENS.alice,
      maxRetries: 0,
      defaultHeaders: { 'x-vigil-session': session },
    });
  const recorded = await openAiCalls(openai(`${rec.gateway.url}/c/oa/v1`, 'rerun-wire'));
  const across = await openai(`${rec.gateway.url}/c/oa/v1`, 'rerun-wire').chat.completions.create({
    ...ACROSS,
    stream: true,
  });
  let acrossText = '';
  for await (const chunk of across) acrossText += chunk.choices[0]?.delta.content ?? '';
  const claude = new Anthropic({
    baseURL: `${rec.gateway.url}/c/an`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'rerun-claude' },
  });
  const claudeRecorded = await anthropicCall(claude);
  const wire = await sessionNamed(rec.gateway, 'oa', 'rerun-wire');
  const claudeSession = await sessionNamed(rec.gateway, 'an', 'rerun-claude');
  await rec.model.close();

  // The ledger holds the prompt masked: neither secret is in it.
  const secretRequest = JSON.stringify(wire.events.filter((e) => e.type === 'llm.request')[2]!.payload);
  assert.ok(!secretRequest.includes(GITHUB_TOKEN) && !secretRequest.includes(UPSTREAM_KEY), secretRequest);
  assert.match(recorded.streamed.texts[1]!, /^choice 1 of 2: streamed, two choices/);

  const rerun = await startRerun(rec.configFile, wire.id, ['--timing', 'recorded'], rec.env);
  const again = await openAiCalls(openai(`${rerun.url}/v1`, 'ignored'));
  const acrossAgain = await openai(`${rerun.url}/v1`, 'ignored').chat.completions.create(ACROSS);
  const stopped = await rerun.stop();
  assert.deepEqual(stopped.report.unmatched, [], stopped.stdout);
  assert.equal(stopped.report.answered, 4);

  // A stream is recorded with the completion it delivered (its id included): served as recorded.
  assert.deepEqual(again.streamed, recorded.streamed);
  assert.match(again.streamed.id, /^chatcmpl-/);
  assert.deepEqual(choiceView(again.whole), choiceView(recorded.whole));
  assert.equal(again.whole.choices.length, 2);
  assert.deepEqual(again.whole.usage, recorded.whole.usage);
  assert.equal(again.whole.model, recorded.whole.model);
  // What is served is the recording: the answer echoes the prompt, so its secrets come back masked.
  const served = again.secret.choices[0]!.message.content ?? '';
  assert.ok(!served.includes(GITHUB_TOKEN) && !served.includes(UPSTREAM_KEY), served);
  assert.match(served, /^choice 0 of 1: deploy with \[MASKED/);
  // A call recorded as a stream answers the same request asked for whole.
  assert.equal(acrossAgain.choices[0]!.message.content, acrossText);

  const claudeRerun = await startRerun(rec.configFile, claudeSession.id, [], rec.env);
  const claudeAgain = await anthropicCall(
    new Anthropic({ baseURL: claudeRerun.url, apiKey: 'anything', maxRetries: 0 }),
  );
  const claudeStopped = await claudeRerun.stop();
  assert.deepEqual(claudeStopped.report.unmatched, []);
  assert.deepEqual(claudeAgain.content, claudeRecorded.content);
  assert.equal(claudeAgain.stop_reason, claudeRecorded.stop_reason);
  assert.equal(claudeAgain.model, claudeRecorded.model);
});
