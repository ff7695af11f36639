// A stand-in model upstream whose every answer a test scripts (node:http: the bytes it writes are
// exactly what the test says, malformed or not), behind a test gateway with one `oa` OpenAI
// connection. For attacks the demo model would never make: odd stream framing, wrong media types,
// content given as parts. Each request's body and method are kept as the upstream received them.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway, TOKENS } from './gateway.js';
import { listenOnLoopback } from './loopback.js';

/** One request as the upstream received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The body's last message content, when it is a chat request (the tests' way to pick a script). */
  readonly ask: string;
}

export interface ScriptedChat {
  readonly gateway: TestGateway;
  /** The official openai client through the gateway, as alice. */
  readonly client: OpenAI;
  /** Every request the upstream received, in order. */
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

/** A whole chat completion answering "ok": what an upstream says when a test looks only at the request. */
export const OK_COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'demo',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
};

/** A chat request `rule` denies: refused with 403 naming the rule, and never sent upstream. */
export async function assertChatDenied(
  chat: ScriptedChat,
  what: string,
  rule: string,
  body: Record<string, unknown>,
): Promise<void> {
  const reached = chat.received.length;
  await assert.rejects(
    chat.client.chat.completions.create({ model: 'demo', ...body } as never),
    (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError, `${what}: ${String(err)}`);
      assert.equal(err.status, 403, what);
      assert.match(err.message, new RegExp(`rule ${rule}`), what);
      return true;
    },
  );
  assert.equal(chat.received.length, reached, `${what}: the request reached the upstream`);
}

/** Answers a request with a small JSON body, as a model API's listing or completion would. */
export function answerJson(body: object): (request: ReceivedRequest, res: ServerResponse) => void {
  return (_request, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

/** One `data:` event of an OpenAI chat stream (`chat.completion.chunk`). */
export function chatChunk(delta: object, finish: string | null = null, id = 'chatcmpl-scripted'): string {
  return `data: ${JSON.stringify({
    id,
    object: 'chat.completion.chunk',
    created: 0,
    model: 'demo',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

/**
 * Starts the upstream and the gateway. `answer` writes the whole answer to a request; `connection`
 * adds settings to the `oa` connection (mask_responses, say), `settings` to the gateway's (policy).
 */
export async function startScriptedChat(
  answer: (request: ReceivedRequest, res: ServerResponse) => void,
  connection: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<ScriptedChat> {
  const received: ReceivedRequest[] = [];
  const upstream: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        ask: lastMessage(body),
      };
      received.push(request);
      answer(request, res);
    });
  });
  const gateway = await startTestGateway({
    ...settings,
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: await listenOnLoopback(upstream),
        allow: ['*'],
        ...connection,
      },
    ],
  });
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  return {
    gateway,
    client,
    received,
    async close() {
      await gateway.close();
      upstream.closeAllConnections();
      await new Promise<void>((r) => upstream.close(() => r()));
    },
  };
}

function lastMessage(body: string): string {
  try {
    const content: unknown = JSON.parse(body)?.messages?.at(-1)?.content;
    return typeof content === 'string' ? content : '';
  } catch {
    return '';
  }
}
