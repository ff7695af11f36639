// A model server behind an authenticating proxy trusts the user the proxy names (`Remote-User`,
// oauth2-proxy's `X-Auth-Request-User`, in any spelling a CGI-style server reads as one), and a
// Kubernetes-fronted one `Impersonate-User`. A client of a model connection that sent such a
// header had it forwarded: the upstream acted for that user, while the record said the request
// was made with the injected credential. Such headers are now dropped, unless the connection's
// `upstream_headers` set one itself. The openai SDK sends them here as any client could.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { TOKENS } from '../support/gateway.js';
import { answerJson, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const COMPLETION = answerJson({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'demo',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
});
let plain: ScriptedChat;
let pinned: ScriptedChat;

before(async () => {
  plain = await startScriptedChat(COMPLETION);
  pinned = await startScriptedChat(COMPLETION, { upstream_headers: { 'Remote-User': 'vigil-service' } });
});

after(async () => {
  await plain?.close();
  await pinned?.close();
});

const ACTING = {
  'Remote-User': 'admin',
  X_Auth_Request_User: 'root',
  'X-WEBAUTH-USER': 'grafana-admin',
  'Impersonate-User': 'system:admin',
  'Impersonate-Extra-Scopes': 'all',
  Sudo: 'root',
};

/** The official client through `chat`'s gateway, sending the acting headers with every request. */
function client(chat: ScriptedChat): OpenAI {
  return new OpenAI({
    baseURL: `${chat.gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: ACTING,
  });
}

const request = { model: 'demo', messages: [{ role: 'user' as const, content: 'hello' }] };

test('headers naming another user for the upstream to act as are not forwarded', async () => {
  const answer = await client(plain).chat.completions.create(request);
  assert.equal(answer.choices[0]?.message.content, 'hi');
  const headers = plain.received.at(-1)!.headers;
  for (const name of Object.keys(ACTING))
    assert.equal(headers[name.toLowerCase()], undefined, `${name} reached the upstream`);
  // The client's ordinary headers still go on.
  assert.match(String(headers['user-agent']), /OpenAI/);
});

test('a header the connection sets itself is sent as the connection sets it', async () => {
  await client(pinned).chat.completions.create(request);
  const headers = pinned.received.at(-1)!.headers;
  assert.equal(headers['remote-user'], 'vigil-service');
  assert.equal(headers['impersonate-user'], undefined);
});
