// SSE at the byte level: the content type, `data: [DONE]`, Anthropic's named events with the ping
// after the first content_block_start, and, when paced, events arriving in separate reads.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';

let model: DemoModel;

before(async () => {
  model = await startDemoModel({ chunkDelayMs: 25 });
});

after(() => model.close());

/** Posts and collects every socket read separately, with the response headers. */
function postReads(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; contentType: string; reads: string[] }>((resolve, reject) => {
    const req = request(
      `${model.url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const reads: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (d: string) => reads.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), reads }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('paced OpenAI chat stream: text/event-stream, one content event per read, data: [DONE] last', async () => {
  const { status, contentType, reads } = await postReads('/v1/chat/completions', {
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'one two three four five six' }],
  });
  assert.equal(status, 200);
  assert.match(contentType, /^text\/event-stream/);
  const contentReads = reads.filter((r) => r.includes('"content":"') && !r.includes('"role"'));
  assert.ok(contentReads.length >= 5, `content arrived in ${contentReads.length} reads`);
  for (const r of contentReads) {
    assert.equal(r.match(/"content":"/g)?.length, 1, `one content event per read: ${r}`);
  }
  const events = reads.join('').split('\n\n').filter(Boolean);
  assert.ok(events.every((e) => e.startsWith('data: ')));
  assert.equal(events.at(-1), 'data: [DONE]');
});

test('Anthropic stream: named events in the documented order, ping after the first block start', async () => {
  const { contentType, reads } = await postReads(
    '/v1/messages',
    { model: 'demo', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'a b c' }] },
    { 'anthropic-version': '2023-06-01' },
  );
  assert.match(contentType, /^text\/event-stream/);
  const events = reads
    .join('')
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      const name = eventLine!.replace('event: ', '');
      const data = JSON.parse(dataLine!.replace('data: ', '')) as { type: string };
      assert.equal(data.type, name, 'the event name repeats the data type');
      return name;
    });
  const deltas = events.filter((e) => e === 'content_block_delta').length;
  assert.ok(deltas > 1);
  assert.deepEqual(events, [
    'message_start',
    'content_block_start',
    'ping',
    ...Array<string>(deltas).fill('content_block_delta'),
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
});
