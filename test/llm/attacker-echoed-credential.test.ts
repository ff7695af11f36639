// The credential Vigil injects never reaches the client, whatever status the upstream answers with.
// An upstream that echoes what it was sent (an echo or debug route, a proxy that reflects the
// request's headers into its answer or its own headers) handed the official openai client the key
// in a successful answer, whole or streamed, until 7 December: only refusals were masked on a
// connection without `mask_responses`. The record never held it; the data directory is searched.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const CREDENTIAL = 'sk-upstream-Echoed-0123456789abcdef';
let chat: ScriptedChat;

before(async () => {
  process.env.VIGIL_LLM_ECHOED_CREDENTIAL = CREDENTIAL;
  chat = await startScriptedChat(
    (request, res) => {
      const seen = String(request.headers.authorization ?? '');
      if (request.body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-debug-auth': seen });
        res.end(
          `${chatChunk({ role: 'assistant', content: `seen ${seen}` })}${chatChunk({}, 'stop')}data: [DONE]\n\n`,
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-debug-auth': seen });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-echo',
          object: 'chat.completion',
          created: 0,
          model: 'demo',
          choices: [
            { index: 0, message: { role: 'assistant', content: `seen ${seen}` }, finish_reason: 'stop' },
          ],
        }),
      );
    },
    { credential: 'env:VIGIL_LLM_ECHOED_CREDENTIAL' },
  );
});

after(async () => {
  await chat?.close();
});

const MASKED = /^seen Bearer \[MASKED:known-secret:[0-9a-f]{6}\]$/;
const ASK = { model: 'demo', messages: [{ role: 'user' as const, content: 'hi' }] };

test('a successful answer echoing the injected credential reaches the client masked, body and headers', async () => {
  const { data, response } = await chat.client.chat.completions.create(ASK).withResponse();
  assert.match(data.choices[0]?.message.content ?? '', MASKED);
  assert.ok(!String(response.headers.get('x-debug-auth')).includes(CREDENTIAL));
  assert.equal(chat.received.at(-1)?.headers.authorization, `Bearer ${CREDENTIAL}`);
});

test('a streamed answer echoing the injected credential reaches the client masked, events and headers', async () => {
  const { data: stream, response } = await chat.client.chat.completions
    .create({ ...ASK, stream: true })
    .withResponse();
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.match(text, MASKED);
  assert.ok(!String(response.headers.get('x-debug-auth')).includes(CREDENTIAL));
  await chat.gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(chat.gateway.dataDir)) {
    assert.ok(!bytes.includes(Buffer.from(CREDENTIAL)), `${path} holds the credential`);
  }
});
