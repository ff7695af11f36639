// An upstream answer framed as `Transfer-Encoding: deflate, chunked`. undici undoes the chunking
// only, and the header is hop-by-hop, so the relay and the client are both handed the deflate
// stream with nothing to say it is one. The stream here is built of stored blocks whose headers and
// checksum are valid UTF-8 without a NUL, the credential the upstream echoed cut in two by a block
// header: the answer passed the check that refuses what is not UTF-8 text, no pattern found the
// key in it, and the client inflated it by hand to read the key Vigil injected. Such an answer is
// refused (upstream_failed) and recorded without its body; a streamed one too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync, inflateSync } from 'node:zlib';
import OpenAI from 'openai';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const KEY = 'sk-llmframe-upstream-0123456789abcdef0123';
process.env.LLMFRAME_TRANSFER_KEY = KEY;

/** A stored-block length whose four header bytes (LEN, NLEN little-endian) are valid UTF-8 with no NUL. */
const BLOCK = 0x4020;

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function storedBlock(last: boolean, data: Buffer): Buffer {
  assert.equal(data.length, BLOCK);
  // BFINAL, BTYPE 00 (stored); the padding bits up to the byte boundary are ignored by inflate,
  // so a space (or `!`) is a valid block header.
  const head = Buffer.from([
    last ? 0x21 : 0x20,
    BLOCK & 0xff,
    BLOCK >> 8,
    ~BLOCK & 0xff,
    (~BLOCK >> 8) & 0xff,
  ]);
  return Buffer.concat([head, data]);
}

/** A zlib stream of `text` in two stored blocks cut at `cut`, that reads as UTF-8 text without a NUL. */
function textLikeDeflate(text: string, cut: number): Buffer {
  const first = Buffer.from(' '.repeat(BLOCK - cut) + text.slice(0, cut));
  for (let pad = 0; ; pad++) {
    // JSON whitespace (newlines for spaces) varied until the checksum's four bytes read as UTF-8 too.
    const tail = text.slice(cut) + '\n'.repeat(pad) + ' '.repeat(BLOCK);
    const second = Buffer.from(tail.slice(0, BLOCK));
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(adler32(Buffer.concat([first, second])));
    const out = Buffer.concat([
      Buffer.from([0x78, 0x01]),
      storedBlock(false, first),
      storedBlock(true, second),
      sum,
    ]);
    if (Buffer.from(out.toString('utf8')).equals(out) && !out.includes(0)) return out;
  }
}

let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat(
    (request, res) => {
      // An echo route: the answer quotes the key the request came with.
      const echoed = `your key is ${request.headers.authorization}`;
      if (request.ask === 'stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'transfer-encoding': 'gzip, chunked' });
        res.end(gzipSync(`data: ${chatChunk({ content: echoed }, 'stop')}\n\ndata: [DONE]\n\n`));
        return;
      }
      const answer = JSON.stringify({
        id: 'chatcmpl-coded',
        object: 'chat.completion',
        created: 0,
        model: 'demo',
        choices: [{ index: 0, message: { role: 'assistant', content: echoed }, finish_reason: 'stop' }],
      });
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'deflate, chunked' });
      res.end(textLikeDeflate(answer, answer.indexOf(KEY) + 10));
    },
    { credential: 'env:LLMFRAME_TRANSFER_KEY' },
  );
});

after(async () => {
  await chat?.close();
});

test('an answer deflated as a transfer coding is refused: the client cannot inflate the key out of it', async () => {
  const res = await fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'whole' }] }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let inflated = '';
  try {
    inflated = inflateSync(bytes).toString('utf8');
  } catch {
    // Not a deflate stream: nothing to inflate.
  }
  assert.ok(!inflated.includes(KEY), 'the client inflated the injected key out of the answer');
  assert.equal(res.status, 502);
  assert.equal(res.headers.get('x-vigil-error'), 'upstream_failed');
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  assert.equal((response.payload!.error as { code: string }).code, 'upstream_failed');
  assert.equal(response.payload!.bodyText, null);
  assert.ok(!JSON.stringify(response.payload).includes(KEY.slice(10)), 'the record holds the key');
});

test('a streamed answer gzipped as a transfer coding is refused, and the SDK says so', async () => {
  const stream = chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'stream' }],
    stream: true,
  });
  await assert.rejects(stream, (err: unknown) => err instanceof OpenAI.APIError && err.status === 502);
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  assert.equal((response.payload!.error as { code: string }).code, 'upstream_failed');
});
