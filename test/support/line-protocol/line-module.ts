// The smallest complete protocol module (docs/protocols.md), used only by tests to prove the seam:
// a line-based TCP protocol. The client's first line is `AUTH <token>`; Vigil answers `OK AUTH`,
// and every later line is a command (an `ssh.exec` action) judged, masked and recorded before it
// goes to the upstream line server, whose one answer line per command is recorded as `ssh.output`
// and passed on. A refused line is answered `ERR <code> <message>` and never reaches the upstream;
// a cut session ends with `BYE <reason>`. It uses the module contract, the ModuleContext and
// src/relay, and nothing else of Vigil's.
import { connect, type Socket } from 'node:net';
import { z } from 'zod';
import { NO_FACTS } from '../../../src/core/actions.js';
import { connectionBase, hostPort } from '../../../src/core/config.js';
import { toVigilError, VigilError } from '../../../src/core/errors.js';
import type { ModuleContext, ModuleSession } from '../../../src/pipeline/module-context.js';
import type { ProtocolModule } from '../../../src/protocols/module.js';
import {
  type MessageFramer,
  type Relay,
  type RelayProtocol,
  WriteAheadRelay,
} from '../../../src/relay/index.js';

export const LINE_CONNECTION_TYPES = {
  line: z.strictObject({
    type: z.literal('line'),
    ...connectionBase,
    /** The line server, HOST:PORT. */
    upstream: hostPort,
    listen: hostPort,
    max_line_bytes: z.number().int().min(16).default(4096),
  }),
} as const;
type LineConnectionConfig = z.output<typeof LINE_CONNECTION_TYPES.line>;

const AUTH_TIMEOUT_MS = 10_000;

export const lineModule: ProtocolModule = {
  name: 'line',
  connectionTypes: LINE_CONNECTION_TYPES,
  actionEvents: ['ssh.exec'],
  describeAction: (type, payload) =>
    type === 'ssh.exec'
      ? { ...NO_FACTS, text: typeof payload.command === 'string' ? payload.command : '' }
      : null,
  samples: [
    {
      option: 'line',
      description: 'a command line on a line connection (an ssh.exec)',
      build: async (_connection, text) => ({ type: 'ssh.exec', payload: { command: text } }),
    },
  ],
  async start(ctx, connections) {
    const tcp = connections.map((c) => {
      const config = c as LineConnectionConfig;
      return {
        connection: config.name,
        listen: config.listen,
        accept(socket: Socket) {
          serve(socket, config, ctx).catch((err: unknown) => {
            ctx.logger.warn(
              { connection: config.name, err: toVigilError(err).message },
              'line client failed',
            );
            socket.destroy();
          });
        },
      };
    });
    return { tcp, close: async () => undefined };
  },
};

async function serve(client: Socket, config: LineConnectionConfig, ctx: ModuleContext): Promise<void> {
  client.on('error', () => client.destroy());
  const framer = new LineFramer(config.max_line_bytes);
  // Attached until the relay takes over, so nothing the client sends during admission is lost.
  const waiter = new LineWaiter(client, framer);
  let session: ModuleSession;
  try {
    const first = await waiter.firstLine(AUTH_TIMEOUT_MS);
    const auth = /^AUTH (\S+)$/.exec(first);
    // A first line that is not AUTH is admitted with no credential, so its refusal is recorded too.
    session = await ctx.admit({
      connection: config,
      protocol: 'line',
      credential: auth ? auth[1]! : null,
      facts: { client: client.remoteAddress ?? null },
    });
  } catch (err) {
    waiter.detach();
    client.end(errorLine(toVigilError(err, 'protocol_violation')));
    return;
  }
  let upstream: Socket;
  try {
    upstream = await connectTcp(config.upstream);
  } catch (err) {
    waiter.detach();
    const error = new VigilError(
      'upstream_unreachable',
      `cannot reach the line server: ${(err as Error).message}`,
    );
    await session.end('closed', { error: error.code, message: error.message });
    client.end(errorLine(error));
    return;
  }
  waiter.detach();
  if (client.destroyed) {
    upstream.destroy();
    await session.end('client-closed');
    return;
  }
  client.write('OK AUTH\n');
  new WriteAheadRelay<string>({ client, upstream, session }, (relay) =>
    lineRelay(relay, session, framer, config.max_line_bytes, ctx),
  ).start();
}

/** One answer owed to the client, in order: the upstream's, or Vigil's refusal waiting its turn. */
type Owed = { readonly command: string } | { readonly refusal: Buffer };

function lineRelay(
  relay: Relay,
  session: ModuleSession,
  framer: LineFramer,
  maxLineBytes: number,
  ctx: ModuleContext,
): RelayProtocol<string> {
  const answers = new LineFramer(maxLineBytes);
  // The client gets one answer per line, in order: a refusal waits behind the answers the upstream still owes.
  const owed: Owed[] = [];
  const deliverRefusals = () => {
    while (owed[0] && 'refusal' in owed[0]) relay.toClient((owed.shift() as { refusal: Buffer }).refusal);
  };

  async function command(line: string): Promise<void> {
    try {
      await session.submit('ssh.exec', { command: line }, { signal: relay.signal });
    } catch (err) {
      if (relay.closed) return;
      owed.push({ refusal: errorLine(toVigilError(err)) });
      deliverRefusals();
      return;
    }
    owed.push({ command: line });
    relay.toUpstream(Buffer.from(`${line}\n`));
  }

  return {
    framer,
    onClientMessage: (line) => command(line),
    onUpstreamData(chunk) {
      answers.push(chunk);
      try {
        for (let answer = answers.next(); answer !== null; answer = answers.next()) {
          const head = owed.shift();
          // Only what the upstream confirmed is recorded; an answer to nothing means Vigil lost track.
          if (!head || !('command' in head))
            throw new VigilError('upstream_failed', 'the line server answered a line it was not sent');
          session.touch();
          session.observe('ssh.output', { command: head.command, output: answer }).catch((err: unknown) => {
            ctx.logger.warn({ err: toVigilError(err).message }, 'ssh.output not recorded');
          });
          relay.toClient(Buffer.from(`${answer}\n`));
          deliverRefusals();
        }
      } catch (err) {
        relay.fail(toVigilError(err, 'upstream_failed'));
      }
    },
    farewells: {
      cut: (reason) => Buffer.from(`BYE ${reason}\n`),
      error: errorLine,
      upstreamLost: () =>
        errorLine(new VigilError('upstream_failed', 'the line server closed the connection')),
    },
    // The line server runs nothing beyond the line it is answering: the reset stops it.
    stopUpstream: async () => undefined,
  };
}

function errorLine(error: VigilError): Buffer {
  return Buffer.from(`ERR ${error.code} ${error.message.replace(/[\r\n]+/g, ' ')}\n`);
}

/** Lines ending in \n (a trailing \r dropped), each at most `maxBytes`; text is UTF-8. */
export class LineFramer implements MessageFramer<string> {
  readonly #maxBytes: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get buffered(): number {
    return this.#pending.length;
  }

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
  }

  next(): string | null {
    const end = this.#pending.indexOf(0x0a);
    if (end === -1 ? this.#pending.length > this.#maxBytes : end > this.#maxBytes) {
      throw new VigilError('message_too_large', `a line exceeds ${this.#maxBytes} bytes`);
    }
    if (end === -1) return null;
    const line = this.#pending.subarray(0, end).toString('utf8').replace(/\r$/, '');
    this.#pending = this.#pending.subarray(end + 1);
    return line;
  }
}

/** Reads the first line during admission, keeping every later byte in the framer for the relay. */
class LineWaiter {
  readonly #socket: Socket;
  readonly #framer: LineFramer;
  #wake: () => void = () => undefined;
  #ended = false;
  readonly #onData = (chunk: Buffer) => {
    this.#framer.push(chunk);
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };

  constructor(socket: Socket, framer: LineFramer) {
    this.#socket = socket;
    this.#framer = framer;
    socket.on('data', this.#onData);
    socket.on('close', this.#onEnd);
  }

  async firstLine(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#framer.next();
      if (line !== null) return line;
      if (this.#ended) throw new VigilError('auth_missing', 'the client left before authenticating');
      const left = deadline - Date.now();
      if (left <= 0) throw new VigilError('auth_missing', 'no AUTH line was sent in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('close', this.#onEnd);
  }
}

function connectTcp(hostAndPort: string): Promise<Socket> {
  const i = hostAndPort.lastIndexOf(':');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: hostAndPort.slice(0, i).replace(/^\[|\]$/g, ''),
      port: Number(hostAndPort.slice(i + 1)),
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
