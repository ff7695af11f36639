// Secrets written in spellings the masker read as other text until 7 December, sent through the
// gateway with real clients. An HTTP API upstream (node http, answering whole and three bytes at a
// time) echoes the credential Vigil injects, and a configured secret, as hex (`encode(…, 'hex')`,
// MySQL's `HEX()`, a bytea's `\x…`) and as octal byte escapes (a C or PHP string, PostgreSQL's
// E'\163…'). A model connection (the openai SDK, the demo model, `mask_responses: true`) is sent,
// and answers with, an AWS key and the connection's own credential typed in full-width forms
// (`ＡＫＩＡ…`, what an East Asian input method types and NFKC folds to ASCII), and passwords of
// words under a name that writes `passwd` in two parts (`pass_wd`, `PASS_WD=`). None may reach the
// client or the data directory (ledger, WAL and the debug log).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import { TOKENS } from '../support/gateway.js';
import { type LoggedGateway, leaksIn, startLoggedGateway } from './logged-gateway.js';

const CREDENTIAL = 'svc-Held-Api-Key-4711';
const CONFIGURED = 'Grüner-Schlüssel-0042';
const MODEL_KEY = 'sk-upstream-attacker-enc-0123456789abcdef';
const AWS_KEY = 'AKIAZ7QW3ERTYU2IOP4L';
const PASSWORDS = { json: 'harbor lantern seven', dotenv: 'quiet meadow ember', answer: 'velvet fog dawn' };

/** `text` with every ASCII letter, digit and `-` in its full-width form. */
const fullWidth = (text: string) =>
  text.replace(/[0-9A-Za-z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const octal = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => `\\${b.toString(8)}`).join('');
const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex');

/** What the echo upstream writes for `x-echo`. */
function spell(value: string, how: string): string {
  if (how === 'hex') return hex(value);
  if (how === 'HEX') return hex(value).toUpperCase();
  if (how === 'bytea') return `\\x${hex(value)}`;
  return octal(value);
}
const KINDS = ['hex', 'HEX', 'bytea', 'octal'];

let upstream: EchoUpstream;
let model: DemoModel;
let g: LoggedGateway;

before(async () => {
  upstream = await startEchoUpstream((headers) => {
    const how = String(headers['x-echo'] ?? 'hex');
    const seen = String(headers['x-api-key'] ?? '');
    return {
      contentType: 'text/plain',
      body: `seen ${spell(seen, how)}\nconfigured ${spell(CONFIGURED, how)}\n`,
    };
  });
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    apiKey: MODEL_KEY,
    respond: () => ({
      text: `Use ${fullWidth(AWS_KEY)} with ${fullWidth(MODEL_KEY)} now.\nPass_Wd=${PASSWORDS.answer}\n`,
    }),
  });
  process.env.VIGIL_LEAK_ATTACKER_ENC_CREDENTIAL = CREDENTIAL;
  process.env.VIGIL_LEAK_ATTACKER_ENC_CONFIGURED = CONFIGURED;
  process.env.VIGIL_LEAK_ATTACKER_ENC_MODEL = MODEL_KEY;
  g = await startLoggedGateway({
    masking: { secrets: ['env:VIGIL_LEAK_ATTACKER_ENC_CONFIGURED'] },
    connections: [
      {
        name: 'echo',
        type: 'http',
        upstream: upstream.url,
        credential: 'env:VIGIL_LEAK_ATTACKER_ENC_CREDENTIAL',
        auth: { scheme: 'header', header: 'X-Api-Key' },
        allow: ['*'],
      },
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_LEAK_ATTACKER_ENC_MODEL',
        mask_responses: true,
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await g?.gateway.close();
  await model?.close();
  await upstream?.close();
});

test('an injected credential and a configured secret echoed in hex or octal escapes reach neither the client nor the record', async () => {
  for (const how of KINDS)
    for (const pieces of [false, true]) {
      const res = await fetch(`${g.gateway.url}/c/echo/v1/echo`, {
        headers: {
          authorization: `Bearer ${TOKENS.alice}`,
          'x-echo': how,
          ...(pieces ? { 'x-pieces': '1' } : {}),
        },
      });
      const body = await res.text();
      assert.equal(res.status, 200, body);
      assert.match(
        body,
        /^seen (\\x)?\[MASKED:known-secret:[0-9a-f]{6}\]\nconfigured (\\x)?\[MASKED:known-secret:[0-9a-f]{6}\]\n$/,
        `${how}${pieces ? ' in pieces' : ''}: ${body}`,
      );
    }
  await g.gateway.recorder.drain();
  const spellings = [CREDENTIAL, CONFIGURED].flatMap((s) => KINDS.map((k) => spell(s, k).slice(-24)));
  assert.deepEqual(leaksIn(g.dataDir, spellings), []);
});

test('full-width keys and split password names reach neither the client nor the record', async () => {
  const client = new OpenAI({ baseURL: `${g.gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const messages = [
    {
      role: 'user' as const,
      content:
        `My key is ${fullWidth(AWS_KEY)} and the model key ${fullWidth(MODEL_KEY)}.\n` +
        `DB_PASS_WD=${PASSWORDS.dotenv}\n`,
    },
    { role: 'user' as const, content: `{"db": {"pass_wd": "${PASSWORDS.json}"}}` },
  ];
  const answer = await client.chat.completions.create({ model: 'demo', messages });
  const whole = answer.choices[0]!.message.content ?? '';
  const stream = await client.chat.completions.create({ model: 'demo', messages, stream: true });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
  for (const text of [whole, streamed]) {
    assert.match(text, /\[MASKED:aws-access-key-id:[0-9a-f]{6}\]/, text);
    assert.match(text, /\[MASKED:known-secret:[0-9a-f]{6}\]/, text);
    for (const s of [fullWidth(AWS_KEY).slice(4), fullWidth(MODEL_KEY).slice(3), PASSWORDS.answer])
      assert.ok(!text.includes(s), `the answer holds ${s}: ${text}`);
  }
  await g.gateway.recorder.drain();
  const secrets = [fullWidth(AWS_KEY).slice(4), fullWidth(MODEL_KEY).slice(3), ...Object.values(PASSWORDS)];
  assert.deepEqual(leaksIn(g.dataDir, secrets), []);
});
