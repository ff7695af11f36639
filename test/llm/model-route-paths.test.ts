// The one model route with a path parameter (GET /v1/models/<id>) is forwarded undecoded. A model
// id that any reading (decoded up to three times, backslashes as separators) turns into a dot
// segment or several segments would reach another path of an upstream that decodes again, with the
// injected credential: `..%2Ffiles` and `%252e%252e` used to reach it as sent. Such ids are
// refused; real ids, as the official SDKs encode them, pass.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
const arrived: string[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    arrived.push(req.url ?? '');
    const id = decodeURIComponent((req.url ?? '').split('/').at(-1) ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ id, object: 'model', created: 0, owned_by: 'org', type: 'model', display_name: id }),
    );
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: url, allow: ['group:ai-eng'] },
      { name: 'an', type: 'llm-anthropic', upstream: url, allow: ['group:ai-eng'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

test('the official SDKs retrieve a model by id through Vigil, an encoded fine-tune id included', async () => {
  const openai = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const id = 'ft:gpt-4o-mini:acme:triage:9xYz';
  assert.equal((await openai.models.retrieve(id)).id, id);
  assert.match(arrived.at(-1)!, /^\/v1\/models\/ft(%3A|:)gpt-4o-mini/);
  const anthropic = new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 });
  assert.equal((await anthropic.models.retrieve('claude-sonnet-4-5')).id, 'claude-sonnet-4-5');
});

test('a model id that resolves to another upstream path is refused and never forwarded', async () => {
  const before = arrived.length;
  for (const id of ['%2e%2e', '.%2E', '%252e%252e', '..%2Ffiles', '..%5Cfiles']) {
    for (const connection of ['oa', 'an']) {
      const res = await fetch(`${gateway.url}/c/${connection}/v1/models/${id}?after=x`, {
        headers: { authorization: `Bearer ${TOKENS.alice}`, 'x-api-key': TOKENS.alice },
      });
      assert.equal(res.status, 404, `${connection} ${id}`);
      assert.equal(res.headers.get('x-vigil-error'), 'route_unknown');
    }
  }
  assert.deepEqual(arrived.slice(before), [], 'the upstream saw none of them');
});
