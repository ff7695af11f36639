// The HTTP sink and a collector that answers with a redirect (an http-to-https rule, a load
// balancer, or a collector taken over to point elsewhere). Followed, a 301/302/303 turns the POST
// into a bodiless GET whose 2xx would acknowledge a batch nobody received (the cursor moves past
// it: events lost), and every redirect carries the configured headers (the SIEM token) to whatever
// host it names. A redirect is a failed delivery: the batch waits and is sent again, to the URL
// configured, once the collector accepts it there.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { ANONYMOUS } from '../../src/core/events.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { assertDeliveredEqualsLedger, HttpCollector, ledgerRows, waitFor } from './collectors.js';

const SIEM_TOKEN = 'Splunk 7d2e4c1b-redirect-token-stays-home';

/** The host a redirect names: it must hear nothing, neither the batch nor the token. */
class ElsewhereServer {
  readonly requests: { method: string; headers: IncomingHttpHeaders; body: string }[] = [];
  #server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.#server = server;
    // Another origin than the collector's (another host name, another port).
    return `http://localhost:${(server.address() as { port: number }).port}/elsewhere`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The configured collector: redirects while `redirect` is set, then accepts like HttpCollector. */
let redirect: number | null = 301;
let redirects = 0;
let elsewhereUrl = '';
let redirector: Server;
let collector: HttpCollector;
let elsewhere: ElsewhereServer;
let gateway: TestGateway;

before(async () => {
  process.env.VIGIL_TEST_SIEM_REDIRECT_TOKEN = SIEM_TOKEN;
  elsewhere = new ElsewhereServer();
  elsewhereUrl = await elsewhere.start();
  collector = new HttpCollector();
  await collector.start();
  // In front of the collector: while `redirect` is set it answers that status, else it proxies.
  redirector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (redirect !== null) {
        redirects++;
        res.writeHead(redirect, { location: elsewhereUrl }).end();
        return;
      }
      const answer = await fetch(collector.url, {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: Buffer.concat(chunks),
      });
      res.writeHead(answer.status).end(await answer.text());
    });
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', () => resolve()));
  gateway = await startTestGateway({
    siem: {
      poll: 50,
      max_backoff: 200,
      sinks: [
        {
          name: 'redirected',
          type: 'http',
          url: `http://127.0.0.1:${(redirector.address() as { port: number }).port}/ingest`,
          headers: {
            Authorization: 'env:VIGIL_TEST_SIEM_REDIRECT_TOKEN',
            'X-Api-Key': 'env:VIGIL_TEST_SIEM_REDIRECT_TOKEN',
          },
          batch_size: 3,
          format: 'vigil',
        },
      ],
    },
  });
});

after(async () => {
  await gateway?.close();
  redirector?.closeAllConnections();
  redirector?.close();
  await collector?.kill();
  await elsewhere?.close();
});

test('a redirect is a failed delivery: nothing acknowledged, nothing sent to the other host', async () => {
  for (let i = 0; i < 7; i++) {
    await gateway.recorder.append(
      {
        type: 'admin.action',
        sessionId: 'ses_siem_redirect',
        connection: 'admin',
        identity: ANONYMOUS,
        time: new Date().toISOString(),
        payload: { i },
      },
      'admin',
    );
  }
  for (const status of [301, 302, 303, 307, 308]) {
    redirect = status;
    const seen = redirects;
    await waitFor(
      `a ${status} to be refused`,
      () => {
        const [s] = gateway.siem.status();
        return redirects > seen + 1 && s!.last_error === `POST answered ${status}`;
      },
      15_000,
    );
    const [s] = gateway.siem.status();
    assert.equal(s!.cursor, 0, `a ${status} acknowledged a batch`);
    assert.ok(s!.lag > 0);
  }
  assert.deepEqual(
    elsewhere.requests.map((r) => r.method),
    [],
    'the redirect was followed: the other host got requests (with the sink headers)',
  );

  // The collector accepts at the configured URL again: everything arrives there, in order.
  redirect = null;
  await waitFor('the forwarder to catch up', () => {
    const [s] = gateway.siem.status();
    return s!.lag === 0 && s!.cursor === gateway.recorder.size;
  });
  assertDeliveredEqualsLedger(
    collector.receipts.map((r) => r.documents),
    await ledgerRows(gateway),
  );
  assert.deepEqual(elsewhere.requests, []);
});
