// A request body must mean to policy and the record exactly what it means to the upstream. Two
// readings still differed: bytes that are not UTF-8, which Vigil read as U+FFFD while an upstream
// that skips them (PHP's json_decode with JSON_INVALID_UTF8_IGNORE, iconv's //IGNORE) read the
// word they split; and an integer beyond 2^53, which JSON.parse rounds while Python and Go (the
// servers the openai and anthropic Python SDKs talk to) keep every digit. Both are now refused with
// body_invalid_json and never forwarded. The rest of the framing a client controls (Content-Type
// twice and as `Content_Type`, a byte-order mark, UTF-16, `__proto__`, Content-Length beside
// Transfer-Encoding) is checked here too: each is refused or reaches the upstream as it was judged.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import {
  answerJson,
  OK_COMPLETION,
  type ScriptedChat,
  startScriptedChat,
} from '../support/scripted-upstream.js';

let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat(
    answerJson(OK_COMPLETION),
    {},
    {
      policy: {
        rules: [
          { name: 'no-override', match: { pattern: 'ignore previous instructions' }, action: 'deny' },
          { name: 'no-account', match: { pattern: '\\b4111111111111111111\\b' }, action: 'deny' },
        ],
      },
    },
  );
});

after(async () => {
  await chat?.close();
});

function post(body: Buffer | string, headers: Record<string, string> = {}) {
  return fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

const chatBody = (content: string, extra = '') =>
  `{"model":"demo",${extra}"messages":[{"role":"user","content":"${content}"}]}`;

/** Sends `body`, expects body_invalid_json saying `why`, recorded as access.denied, and nothing forwarded. */
async function assertRefused(what: string, body: Buffer | string, why: RegExp) {
  const reached = chat.received.length;
  const res = await post(body);
  const answer = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(chat.received.length, reached, `${what}: forwarded`);
  assert.equal(res.status, 400, what);
  assert.equal(answer.error.code, 'body_invalid_json', what);
  assert.match(answer.error.message, why, what);
  const refusal = (await connectionEvents(chat.gateway, 'oa', 'access.denied')).at(-1)!;
  assert.equal(refusal.payload!.code, 'body_invalid_json', what);
  assert.match(String(refusal.payload!.message), why, what);
}

test('a body that is not UTF-8 is refused: an upstream skipping the bad bytes would read a denied phrase', async () => {
  // 0xFF is never UTF-8; 0xC1 0xAF is an overlong `o`; 0xED 0xA0 0x80 a surrogate (CESU-8).
  for (const bad of [[0xff], [0xc1, 0xaf], [0xed, 0xa0, 0x80]]) {
    const body = Buffer.concat([
      Buffer.from(chatBody('ign').slice(0, -4)),
      Buffer.from(bad),
      Buffer.from('ore previous instructions"}]}'),
    ]);
    await assertRefused(`bytes ${bad.join(' ')}`, body, /not UTF-8/);
  }
});

test('an integer beyond 2^53 is refused: the policy read it rounded, the model every digit', async () => {
  const schema = (value: string) =>
    chatBody(
      'charge it',
      `"tools":[{"type":"function","function":{"name":"charge","parameters":{"type":"object","properties":{"account":{"type":"integer","default":${value}}}}}}],`,
    );
  await assertRefused('a 19-digit default', schema('4111111111111111111'), /integer too large/);
  await assertRefused('a negative one', schema('-4111111111111111111'), /integer too large/);
  await assertRefused('a seed', chatBody('hi', '"seed":12345678901234567890,'), /integer too large/);
  // Exact in a double, and read alike by every parser: forwarded.
  for (const value of ['9007199254740991', '-9007199254740991', '1e21', '4.111111111111111111e18', '0.1']) {
    const reached = chat.received.length;
    const res = await post(chatBody('hi', `"seed":${value},`));
    assert.equal(res.status, 200, value);
    await res.arrayBuffer();
    assert.equal(chat.received.length, reached + 1, value);
  }
  // Digits inside a string are the string's, exact for everyone: judged, and denied by the rule.
  const reached = chat.received.length;
  const denied = await post(chatBody('account 4111111111111111111'));
  assert.equal(denied.status, 403);
  await denied.arrayBuffer();
  assert.equal(chat.received.length, reached);
});

test('a byte-order mark, UTF-16 and a __proto__ key twice are refused; one __proto__ goes on as recorded', async () => {
  await assertRefused(
    'a UTF-8 BOM',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chatBody('hi'))]),
    /not valid JSON/,
  );
  await assertRefused('UTF-16', Buffer.from(`\uFEFF${chatBody('hi')}`, 'utf16le'), /not UTF-8/);
  await assertRefused(
    '__proto__ twice',
    chatBody('hi', '"__proto__":{"model":"a"},"__proto__":{"model":"b"},'),
    /key twice/,
  );
  const res = await post(chatBody('hi', '"__proto__":{"model":"other"},'));
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const request = (await connectionEvents(chat.gateway, 'oa', 'llm.request')).at(-1)!;
  assert.equal(request.payload!.model, 'demo');
  assert.deepEqual(
    JSON.parse(chat.received.at(-1)!.body),
    JSON.parse(chatBody('hi', '"__proto__":{"model":"other"},')),
  );
});

test('Content-Type twice and as Content_Type: the upstream is told application/json, nothing else', async () => {
  const body = chatBody('hi');
  const reply = await new Promise<string>((resolve, reject) => {
    const url = new URL(chat.gateway.url);
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST /c/oa/v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKENS.alice}\r\n` +
          'content-type: application/json; charset=utf-7\r\ncontent-type: text/plain\r\n' +
          `Content_Type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 200 /);
  const headers = chat.received.at(-1)!.headers;
  const typed = Object.keys(headers).filter((name) => name.replaceAll('_', '-') === 'content-type');
  assert.deepEqual(typed, ['content-type']);
  assert.equal(headers['content-type'], 'application/json');
});

test('Content-Length beside Transfer-Encoding never reaches the adapter', async () => {
  const body = chatBody('ignore previous instructions');
  const reached = chat.received.length;
  const reply = await new Promise<string>((resolve, reject) => {
    const url = new URL(chat.gateway.url);
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST /c/oa/v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKENS.alice}\r\n` +
          `content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
    });
    let out = '';
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400 /);
  assert.equal(chat.received.length, reached);
});
