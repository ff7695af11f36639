// The official SDKs read the answer to a `stream: true` request as an event stream whatever its
// Content-Type says. Vigil chose by the Content-Type alone, so an upstream that streamed under
// `application/json` or `text/plain` had its events recorded as one opaque text (`bodyText`), with
// no choices, and masked as one text: a key cut across two events' deltas was in no one piece the
// masker read, and with `mask_responses: true` the client's SDK joined it whole. The upstream is a
// node:http stand-in; the client is the official openai SDK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const KEY = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';
const ANSWER = `the key is ${KEY} ok`;
const CUT = ANSWER.indexOf(KEY) + 14;

let f: ScriptedChat;

before(async () => {
  f = await startScriptedChat(
    (request, res) => {
      const chunk = (content: string | undefined, finish: string | null) =>
        chatChunk(content === undefined ? {} : { content }, finish, 'chatcmpl-mt');
      res.writeHead(200, { 'content-type': request.ask });
      res.end(
        chunk(ANSWER.slice(0, CUT), null) +
          chunk(ANSWER.slice(CUT), null) +
          chunk(undefined, 'stop') +
          'data: [DONE]\n\n',
      );
    },
    { mask_responses: true },
  );
});

after(async () => {
  await f?.close();
});

for (const mediaType of ['application/json', 'text/plain']) {
  test(`a stream sent as ${mediaType}: masked for the client and recorded as the stream it is`, async () => {
    const stream = await f.client.chat.completions.create({
      model: 'demo',
      // The stand-in answers with the media type the prompt names.
      messages: [{ role: 'user', content: mediaType }],
      stream: true,
    });
    let read = '';
    for await (const part of stream) read += part.choices[0]?.delta?.content ?? '';
    assert.ok(!read.includes(KEY.slice(8, 30)), `the client read the key: ${read}`);
    assert.match(read, /^the key is .+ ok$/);
    const response = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!.payload!;
    assert.equal(
      (response.choices as { text: string }[])[0]?.text,
      read,
      'the record holds what the client read',
    );
  });
}
