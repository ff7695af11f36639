// Reading requests and writing responses on node:http: a bounded body reader, JSON replies, and an
// SSE writer that writes (and so flushes) every event on its own, paced, and can die on purpose.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, DemoRequestError } from './wire-errors.js';

/** Thrown when the client went away: the handler stops writing. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGone';
  }
}

/** Thrown after a deliberate mid-stream death: the handler stops writing. */
export class StreamKilled extends Error {
  constructor() {
    super('the stream was cut on purpose');
    this.name = 'StreamKilled';
  }
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new DemoRequestError({ status: 413, message: `Request body exceeds ${maxBytes} bytes.` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; anything else is the provider's 400. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends the status line and about half the body, then breaks the connection. */
export async function sendJsonThenDie(
  res: ServerResponse,
  body: unknown,
  headers: Record<string, string>,
  markFailed: () => void,
): Promise<void> {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length, ...headers });
  await writeAndWait(res, text.subarray(0, Math.floor(text.length / 2)));
  markFailed();
  res.socket?.destroy();
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Resolves when the response's connection closes (the client gave up, or the server shut down). */
export function untilClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.once('close', () => resolve());
  });
}

function writeAndWait(res: ServerResponse, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(data, (err) => (err ? reject(new ClientGone()) : resolve()));
  });
}

export interface SseOptions {
  readonly chunkDelayMs: number;
  /** Content events to send before breaking the connection; null: never. */
  readonly dieAfterContent: number | null;
  readonly markFailed: () => void;
}

/**
 * Server-sent events. `event` writes at once (structure: created, role, stop); `content` waits the
 * pacing delay first and counts toward a deliberate death. Each write is one `res.write`, which on
 * node:http goes to the socket immediately (no Nagle, no buffering).
 */
export class SseWriter {
  private contentSent = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseOptions,
  ) {}

  open(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.res.flushHeaders();
  }

  async event(data: unknown, name?: string): Promise<void> {
    await this.write(format(data, name));
  }

  async content(data: unknown, name?: string): Promise<void> {
    const { dieAfterContent, chunkDelayMs } = this.options;
    if (dieAfterContent !== null && this.contentSent >= dieAfterContent) this.die();
    await sleep(chunkDelayMs);
    await this.write(format(data, name));
    this.contentSent++;
  }

  /**
   * Called after the last content event: a stream meant to die does so here at the latest, so a
   * reply shorter than the requested chunk count still fails before its closing events.
   */
  closing(): void {
    if (this.options.dieAfterContent !== null) this.die();
  }

  private die(): never {
    this.options.markFailed();
    this.res.socket?.destroy();
    throw new StreamKilled();
  }

  /** OpenAI's terminator for chat and completions streams. */
  async done(): Promise<void> {
    await this.write('data: [DONE]\n\n');
  }

  end(): void {
    if (!this.res.destroyed) this.res.end();
  }

  private async write(text: string): Promise<void> {
    if (this.res.destroyed || this.res.writableEnded) throw new ClientGone();
    // Waiting for the write callback only matters before a deliberate death (the bytes must be out
    // before the socket is destroyed); otherwise honour backpressure without a round trip per event.
    if (this.options.dieAfterContent !== null) {
      await writeAndWait(this.res, text);
      return;
    }
    if (!this.res.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          resolve();
        };
        this.res.once('drain', done);
        this.res.once('close', done);
      });
    }
  }
}

function format(data: unknown, name: string | undefined): string {
  const line = `data: ${JSON.stringify(data)}\n\n`;
  return name === undefined ? line : `event: ${name}\n${line}`;
}
