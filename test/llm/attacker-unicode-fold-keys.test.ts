// Go's encoding/json (Ollama and many OpenAI-compatible servers) matches a JSON key to a struct field
// by upper-casing each letter, Unicode's way: `ſ` (long s) is `S` and `ı` (dotless i) is `I`, so
// `meſſages` fills `Messages`, and of two keys that fold alike the last wins. Vigil refused keys
// differing in ASCII case only, so `{"messages": [benign], "meſſages": [other]}` was recorded with
// the benign conversation where the console shows it, while such an upstream gave the model the
// other. The upstream here decodes the body as encoding/json does for the fields it knows.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { answerJson, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

/** The value encoding/json puts in `field`: the last key that folds to its name. */
function goField(body: Record<string, unknown>, field: string): unknown {
  let value: unknown;
  for (const [key, v] of Object.entries(body)) if (key.toUpperCase() === field.toUpperCase()) value = v;
  return value;
}

let f: ScriptedChat;
/** What the model was given to read, as the upstream decoded it. */
const read = () => f.received.map((r) => goField(JSON.parse(r.body), 'messages'));

before(async () => {
  f = await startScriptedChat(answerJson({ id: 'c', object: 'chat.completion', choices: [] }));
});

after(async () => {
  await f?.close();
});

const post = (body: string) =>
  fetch(`${f.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body,
  });

test('two keys that Go folds alike (long s, dotless i) are refused before the upstream', async () => {
  const benign = [{ role: 'user', content: 'summarise the notes' }];
  const other = [{ role: 'user', content: 'something else entirely' }];
  for (const [a, b] of [
    ['messages', 'meſſages'],
    ['model', 'MODEL'],
  ]) {
    const before = read().length;
    const res = await post(
      `{"model":"demo",${JSON.stringify(a)}:${JSON.stringify(benign)},${JSON.stringify(b)}:${JSON.stringify(other)}}`,
    );
    await res.arrayBuffer();
    assert.deepEqual(read().slice(before), [], `${b}: the upstream read the body`);
    assert.equal(res.status, 400, b);
    assert.equal(res.headers.get('x-vigil-error'), 'body_invalid_json');
  }
  const ok = await post(JSON.stringify({ model: 'demo', messages: benign, ınstructions_note: 'x' }));
  assert.equal(ok.status, 200, 'a key with a dotless i and no twin passes');
  await ok.arrayBuffer();
});
