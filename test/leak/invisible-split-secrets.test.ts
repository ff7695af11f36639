// A secret with invisible characters inside it (a zero-width space, a soft hyphen, a word joiner)
// reads the same to anyone who copies it. Sent in a prompt and echoed back in a stream through the
// gateway with the openai SDK, no visible piece of it reaches the data directory, the log or the
// client (mask_responses: true).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import type { DemoReply } from '../../src/demo-model/index.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

const SECRETS = {
  openai: 'sk-proj-Tq8vR2mZx4Lw9Kp3Hs7Nd1Fb6Yc0Jg5Ua2Xe8Vi4Ro7Wt3',
  github: 'ghp_R7xK2mQ9vL4pT8wN3sF6hJ1cB5dG0yZ2aE7u',
  aws: 'aws_secret_access_key = Wk4rT9pLx2Mv8Qz5Hn3Bs7Jd1Fc6Yg0Ua4Re8Ti',
};
/** The value part of each secret, the part a replacement must cover. */
const VALUES = [SECRETS.openai, SECRETS.github, 'Wk4rT9pLx2Mv8Qz5Hn3Bs7Jd1Fc6Yg0Ua4Re8Ti'];
const HIDERS = ['\u200b', '\u00ad', '\u2060', '\ufeff'];

/** Each secret with a hider every 7 characters, a different hider for each secret. */
const split = (secret: string, hider: string) => secret.replace(/(.{7})/g, `$1${hider}`);
const PROMPT = `Please keep these: ${Object.values(SECRETS)
  .map((s, i) => split(s, HIDERS[i % HIDERS.length]!))
  .join(' and ')} thanks`;

let clients: ModelClients<OpenAI>;

before(async () => {
  clients = await startOpenAiClients(
    'sk-upstream-invisible-0123456789abcdef',
    { name: 'oa', mask_responses: true },
    // The model echoes the prompt in pieces of one token, so every hider ends up at a piece's edge.
    { respond: (prompt): DemoReply => ({ text: `You said: ${prompt.lastUserText}` }), tokensPerChunk: 1 },
  );
});

after(async () => {
  await clients?.close();
});

/** Every piece of 8 visible characters of each secret's value: none may be stored or shown. */
const pieces = VALUES.flatMap((v) => Array.from({ length: v.length - 7 }, (_, i) => v.slice(i, i + 8)));
/** Text without invisible characters, written as they are or as JSON escapes. */
const visible = (text: string) =>
  text.replace(/[\p{Cf}\p{Default_Ignorable_Code_Point}]|\\u(?:200[b-f]|00ad|2060|feff)/giu, '');

test('secrets split by invisible characters are masked in the record and in the streamed answer', async () => {
  const stream = await clients.viaVigil.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: PROMPT }],
  });
  let answer = '';
  for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? '';
  assert.match(answer, /^You said: Please keep these: \[MASKED:openai-key:/);
  const shown = pieces.filter((p) => visible(answer).includes(p));
  assert.deepEqual(shown, [], `the client saw ${shown.length} pieces: ${answer}`);

  const whole = await clients.viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: PROMPT }],
  });
  assert.match(whole.choices[0]!.message.content ?? '', /\[MASKED:github-token:/);
  await clients.gateway.close();

  const leaks: string[] = [];
  for (const { path, bytes } of dataDirFiles(clients.gateway.dataDir)) {
    const text = visible(bytes.toString('utf8'));
    for (const piece of pieces) if (text.includes(piece)) leaks.push(`${path}: ${piece}`);
  }
  assert.deepEqual(leaks, [], `${leaks.length} pieces stored`);
});
