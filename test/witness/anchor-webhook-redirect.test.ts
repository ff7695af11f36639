// The anchor webhook (`ledger.anchor_webhook`), the copy of the anchor kept outside the data
// directory, against an endpoint that answers with a redirect. Followed, a 301/302/303 turns the
// POST into a bodiless GET whose 2xx reads as stored: the outside copy silently misses every
// checkpoint, and no failure is ever logged. A redirect is a failure like any other non-2xx answer.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, test } from 'node:test';
import { startTestGateway } from '../support/gateway.js';
import { record } from './witness-process.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as { port: number }).port;
}

test('the anchor webhook does not follow a redirect to another host', async () => {
  const elsewhere: string[] = [];
  const elsewherePort = await listen((req, res) => {
    req.resume();
    elsewhere.push(req.method ?? '');
    res.end('ok');
  });
  const posted: string[] = [];
  const webhookPort = await listen((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      posted.push(body);
      res.writeHead(301, { location: `http://localhost:${elsewherePort}/moved` }).end();
    });
  });
  const gateway = await startTestGateway({
    ledger: { anchor_webhook: `http://127.0.0.1:${webhookPort}/anchor`, checkpoint_interval: 60_000 },
  });
  try {
    await record(gateway, 3, 'webhook');
    await gateway.checkpointer.checkpointNow();
    for (let i = 0; i < 100 && posted.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(posted.length, 1, 'the checkpoint was posted');
    assert.match(posted[0]!, /"size":3/);
  } finally {
    // Closing waits for the webhook posts in flight.
    await gateway.close();
  }
  assert.deepEqual(elsewhere, [], 'the redirect was followed');
});
