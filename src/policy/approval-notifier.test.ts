import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { type ApprovalNotice, jsonDocument, slackMessage, WebhookNotifier } from './approval-notifier.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local receiver; `answer` decides each response from its 0-based position. */
async function startReceiver(answer: (n: number, res: ServerResponse) => void = (_, res) => res.end('ok')) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T0001/SECRETPATH`,
    host: `127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function recordingLogger() {
  const warnings: { o: Record<string, unknown>; m: string }[] = [];
  return {
    warnings,
    logger: { warn: (o: object, m: string) => warnings.push({ o: o as Record<string, unknown>, m }) },
  };
}

const notice: ApprovalNotice = {
  kind: 'approval.requested',
  approval_id: 'apr_123',
  connection: 'prod-db',
  session_id: 'ses_1',
  requester: 'alice@example.com',
  actor: 'alice@example.com',
  summary: 'db.query: DELETE FROM orders',
  rule: 'hold-deletes',
  reason: 'a DELETE needs review',
  expires_at: '2030-01-01T00:05:00.000Z',
  time: '2030-01-01T00:00:00.000Z',
  details: { statement_kind: 'delete' },
};

test('json format posts {vigil: 1, ...notice} to every webhook', async () => {
  const first = await startReceiver();
  const second = await startReceiver();
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [
      { url: first.url, format: 'json' },
      { url: second.url, format: 'json' },
    ],
    logger,
  });
  notifier.notify(notice);
  await notifier.flush();

  for (const receiver of [first, second]) {
    assert.equal(receiver.received.length, 1);
    const [req] = receiver.received;
    assert.equal(req!.path, '/hooks/T0001/SECRETPATH');
    assert.equal(req!.headers['content-type'], 'application/json');
    assert.equal(req!.headers['x-vigil-signature'], undefined);
    assert.deepEqual(JSON.parse(req!.body), { vigil: 1, ...notice });
  }
  assert.deepEqual(warnings, []);
  await first.close();
  await second.close();
});

test('slack format: fallback text and section/context blocks of mrkdwn, with user text escaped', async () => {
  const receiver = await startReceiver();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: receiver.url, format: 'slack' }],
    logger: recordingLogger().logger,
  });
  const hostile: ApprovalNotice = {
    ...notice,
    requester: '<!channel> & <@U123>',
    summary: 'SELECT 1 WHERE a < b && c > d',
    reason: 'x'.repeat(5000),
  };
  notifier.notify(hostile);
  await notifier.flush();

  const raw = receiver.received[0]!.body;
  assert.ok(!raw.includes('<!channel>') && !raw.includes('<@U123>'), 'no mention survives');
  const message = JSON.parse(raw) as {
    text: string;
    blocks: {
      type: string;
      text?: { type: string; text: string };
      fields?: unknown[];
      elements?: unknown[];
    }[];
  };
  assert.equal(typeof message.text, 'string');
  assert.ok(message.text.includes('SELECT 1 WHERE a &lt; b &amp;&amp; c &gt; d'));
  assert.ok(message.text.length <= 300);
  assert.deepEqual(
    message.blocks.map((b) => b.type),
    ['section', 'context'],
  );

  const [section, context] = message.blocks;
  assert.equal(section!.text!.type, 'mrkdwn');
  assert.ok(section!.text!.text.startsWith('*Approval requested*\n'));
  const fields = section!.fields as { type: string; text: string }[];
  assert.ok(fields.length <= 10);
  for (const f of fields) {
    assert.equal(f.type, 'mrkdwn');
    assert.ok(f.text.length <= 2000, 'a field stays within the Slack limit');
  }
  const fieldText = fields.map((f) => f.text);
  assert.ok(fieldText.includes('*Connection*\nprod-db'));
  assert.ok(fieldText.includes('*Requester*\n&lt;!channel&gt; &amp; &lt;@U123&gt;'));
  assert.ok(fieldText.includes('*Rule*\nhold-deletes'));
  assert.ok(fieldText.includes('*Expires*\n2030-01-01T00:05:00.000Z'));
  assert.ok(fieldText.some((t) => t.startsWith('*Reason*\nxxx') && t.endsWith('…')));

  const elements = context!.elements as { type: string; text: string }[];
  assert.ok(elements.every((e) => e.type === 'mrkdwn'));
  const contextText = elements.map((e) => e.text).join('\n');
  assert.ok(contextText.includes('apr_123'));
  assert.ok(contextText.includes('vigil approvals approve apr_123 --reason'));
  assert.ok(contextText.includes('vigil approvals deny apr_123 --reason'));
  await receiver.close();
});

test('slack format: a decision names its outcome and offers no commands', async () => {
  const receiver = await startReceiver();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: receiver.url, format: 'slack' }],
    logger: recordingLogger().logger,
  });
  notifier.notify({ ...notice, kind: 'approval.decided', outcome: 'denied', actor: 'carol' });
  notifier.notify({ kind: 'policy.alert', connection: 'prod-db', summary: 'DROP TABLE', time: notice.time });
  await notifier.flush();

  const [decided, alert] = receiver.received.map((r) => JSON.parse(r.body) as { blocks: JsonBlock[] });
  assert.ok(decided!.blocks[0]!.text!.text.startsWith('*Approval denied*'));
  assert.ok(decided!.blocks[0]!.fields!.some((f) => f.text === '*By*\ncarol'));
  assert.ok(!JSON.stringify(decided).includes('vigil approvals approve'));
  assert.deepEqual(
    alert!.blocks.map((b) => b.type),
    ['section'],
    'no approval, no context block',
  );
  await receiver.close();
});

type JsonBlock = { type: string; text?: { text: string }; fields?: { text: string }[] };

test('a held action shows its digest: the first 12 hex in Slack, all of it in the json document', () => {
  const digest = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const held: ApprovalNotice = { ...notice, action_digest: digest };

  const slack = slackMessage(held) as { blocks: JsonBlock[] };
  const fields = slack.blocks[0]!.fields!.map((f) => f.text);
  assert.ok(fields.includes('*Action digest*\nsha256:a1b2c3d4e5f6'), fields.join(' | '));
  assert.ok(!JSON.stringify(slack).includes(digest), 'Slack gets the short form only');
  assert.equal(jsonDocument(held).action_digest, digest);

  const unbound = slackMessage(notice) as { blocks: JsonBlock[] };
  assert.ok(!unbound.blocks[0]!.fields!.some((f) => f.text.startsWith('*Action digest*')));
});

test('with a secret, the timestamp and body are signed with HMAC-SHA256', async () => {
  const receiver = await startReceiver();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: receiver.url, format: 'json', secret: 's3cret' }],
    logger: recordingLogger().logger,
  });
  notifier.notify(notice);
  await notifier.flush();

  const { headers, body } = receiver.received[0]!;
  const signed = `${headers['x-vigil-timestamp']}.${body}`;
  const expected = `sha256=${createHmac('sha256', 's3cret').update(signed).digest('hex')}`;
  assert.equal(headers['x-vigil-signature'], expected);
  const wrong = `sha256=${createHmac('sha256', 'other').update(signed).digest('hex')}`;
  assert.notEqual(headers['x-vigil-signature'], wrong);
  const bodyOnly = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
  assert.notEqual(headers['x-vigil-signature'], bodyOnly, 'the timestamp is part of what is signed');
  const timestamp = Number(headers['x-vigil-timestamp']);
  assert.ok(Number.isInteger(timestamp) && Math.abs(timestamp - Date.now() / 1000) < 60);
  await receiver.close();
});

test('a 500 is retried and the next attempt delivers the same signed body', async () => {
  const receiver = await startReceiver((n, res) => {
    res.statusCode = n === 0 ? 500 : 200;
    res.end();
  });
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: receiver.url, format: 'json', secret: 'k' }],
    logger,
    backoffMs: 5,
  });
  notifier.notify(notice);
  await notifier.flush();

  assert.equal(receiver.received.length, 2);
  assert.equal(receiver.received[0]!.body, receiver.received[1]!.body);
  assert.equal(
    receiver.received[0]!.headers['x-vigil-signature'],
    receiver.received[1]!.headers['x-vigil-signature'],
  );
  assert.deepEqual(warnings, []);
  await receiver.close();
});

test('after the last attempt it gives up with one warning naming the host and status, never the body or path', async () => {
  const receiver = await startReceiver((_, res) => {
    res.statusCode = 503;
    res.end();
  });
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: receiver.url, format: 'json' }],
    logger,
    retries: 3,
    backoffMs: 5,
  });
  notifier.notify(notice);
  await notifier.flush();

  assert.equal(receiver.received.length, 4);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.o['webhook'], receiver.host);
  assert.equal(warnings[0]!.o['status'], 503);
  assert.equal(warnings[0]!.o['attempts'], 4);
  const logged = JSON.stringify(warnings);
  assert.ok(!logged.includes('SECRETPATH') && !logged.includes('DELETE FROM orders'));
  await receiver.close();
});

test('429 is retried; other 4xx answers are not', async () => {
  const limited = await startReceiver((n, res) => {
    res.statusCode = n === 0 ? 429 : 204;
    res.end();
  });
  const rejecting = await startReceiver((_, res) => {
    res.statusCode = 400;
    res.end();
  });
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [
      { url: limited.url, format: 'json' },
      { url: rejecting.url, format: 'slack' },
    ],
    logger,
    backoffMs: 5,
  });
  notifier.notify(notice);
  await notifier.flush();

  assert.equal(limited.received.length, 2);
  assert.equal(rejecting.received.length, 1);
  assert.deepEqual(
    warnings.map((w) => [w.o['webhook'], w.o['status']]),
    [[rejecting.host, 400]],
  );
  await limited.close();
  await rejecting.close();
});

test('an unreachable webhook never throws into the caller; flush still settles with a warning', async () => {
  const gone = await startReceiver();
  await gone.close(); // the port now refuses connections
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [
      { url: gone.url, format: 'slack', secret: 'k' },
      { url: 'not a url', format: 'json' },
    ],
    logger,
    retries: 1,
    backoffMs: 5,
  });
  assert.doesNotThrow(() => notifier.notify(notice));
  await notifier.flush();
  const byHost = new Map(warnings.map((x) => [x.o['webhook'], x.o['error']]));
  assert.equal(warnings.length, 2);
  assert.equal(byHost.get(gone.host), 'ECONNREFUSED');
  assert.equal(typeof byHost.get('(invalid url)'), 'string');

  const throwing = new WebhookNotifier({
    webhooks: [{ url: gone.url, format: 'json' }],
    logger: {
      warn: () => {
        throw new Error('log sink down');
      },
    },
    retries: 0,
  });
  assert.doesNotThrow(() => throwing.notify(notice));
  await throwing.flush();
});

test('an attempt that gets no answer times out and is retried', async () => {
  const silent = await startReceiver(() => {
    // never answers
  });
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: silent.url, format: 'json' }],
    logger,
    timeoutMs: 100,
    retries: 1,
    backoffMs: 5,
  });
  const started = Date.now();
  notifier.notify(notice);
  await notifier.flush();
  assert.equal(silent.received.length, 2);
  assert.ok(Date.now() - started < 2000);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.o['error'], 'TimeoutError');
  await silent.close();
});

test('notify returns before delivery; flush waits for it', async () => {
  let answered = false;
  const slow = await startReceiver((_, res) => {
    setTimeout(() => {
      answered = true;
      res.end();
    }, 150);
  });
  const notifier = new WebhookNotifier({
    webhooks: [{ url: slow.url, format: 'json' }],
    logger: recordingLogger().logger,
  });
  notifier.notify(notice);
  assert.equal(answered, false);
  await notifier.flush();
  assert.equal(answered, true);
  await notifier.flush(); // nothing pending: returns at once
  await slow.close();
});

test('beyond maxInFlight pending deliveries, notices are dropped with a warning', async () => {
  const release: (() => void)[] = [];
  const held = await startReceiver((_, res) => release.push(() => res.end()));
  const { logger, warnings } = recordingLogger();
  const notifier = new WebhookNotifier({
    webhooks: [{ url: held.url, format: 'json' }],
    logger,
    maxInFlight: 2,
  });
  for (let i = 0; i < 5; i++) notifier.notify({ ...notice, approval_id: `apr_${i}` });
  assert.equal(warnings.filter((x) => x.m.includes('dropped')).length, 3);
  while (release.length < 2) await new Promise((r) => setTimeout(r, 5));
  for (const r of release) r();
  await notifier.flush();
  assert.deepEqual(
    held.received.map((r) => (JSON.parse(r.body) as { approval_id: string }).approval_id).sort(),
    ['apr_0', 'apr_1'],
  );
  await held.close();
});
