// An upstream MCP server Vigil runs itself: `command:` spawned once per MCP session with only the
// configured environment (secrets resolved by Vigil, nothing else of the gateway's environment but
// PATH, HOME and LANG), speaking newline-delimited JSON-RPC on stdin/stdout. A replica that gets a
// session it has not spawned (another replica did, or it restarted) starts the command and
// initializes it again with the client's initialize parameters carried in the session id.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { parseJsonBody } from '../../http/json-body.js';
import type { McpConnectionConfig } from './config.js';
import {
  answers,
  type JsonRpcId,
  type JsonRpcMessage,
  readJsonRpcMessage,
  salvageId,
  toWire,
} from './jsonrpc.js';
import { LineFramer } from './line-framer.js';
import { MessageQueue } from './message-queue.js';
import type { McpUpstream, UpstreamReply, UpstreamTarget } from './upstream.js';

const MAX_PROCESSES = 64;
const DEFAULT_VERSION = '2025-11-25';

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pending: Map<JsonRpcId, MessageQueue<JsonRpcMessage>>;
  listener: MessageQueue<JsonRpcMessage> | null;
  ready: Promise<void>;
  exited: boolean;
  lastUsed: number;
}

export class StdioUpstream implements McpUpstream {
  readonly #config: McpConnectionConfig;
  readonly #env: Record<string, string>;
  readonly #running = new Map<string, Running>();

  constructor(config: McpConnectionConfig, resolveSecret: (ref: string) => string) {
    this.#config = config;
    const env: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', 'LANG'] as const) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    // Resolved at start, so a missing secret is a configuration error rather than a failed call.
    for (const [name, ref] of Object.entries(config.env)) env[name] = resolveSecret(ref);
    this.#env = env;
  }

  #spawn(key: string): Running {
    if (this.#running.size >= MAX_PROCESSES) {
      const oldest = [...this.#running.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]!;
      this.#stop(oldest[0]);
    }
    const [program, ...args] = this.#config.command!;
    const child = spawn(program!, args, { env: this.#env, stdio: 'pipe' });
    const running: Running = {
      child,
      pending: new Map(),
      listener: null,
      ready: Promise.resolve(),
      exited: false,
      lastUsed: Date.now(),
    };
    const framer = new LineFramer(this.#config.max_message_bytes);
    const failAll = (error: VigilError) => {
      running.exited = true;
      if (this.#running.get(key) === running) this.#running.delete(key);
      for (const q of running.pending.values()) q.fail(error);
      running.pending.clear();
      running.listener?.end();
      if (!child.killed) child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        framer.push(chunk);
        for (let line = framer.next(); line !== null; line = framer.next()) this.#deliver(running, line);
      } catch (err) {
        failAll(
          err instanceof VigilError ? err : new VigilError('upstream_failed', 'the upstream sent bad output'),
        );
      }
    });
    // Its diagnostics are drained (a full pipe would stall it) but not kept: they may carry secrets.
    child.stderr.resume();
    child.on('error', () =>
      failAll(new VigilError('upstream_unreachable', 'the upstream command could not be started')),
    );
    child.on('exit', () => failAll(new VigilError('upstream_failed', 'the upstream process exited')));
    child.stdin.on('error', () => undefined);
    this.#running.set(key, running);
    return running;
  }

  #deliver(running: Running, line: Buffer): void {
    let message: JsonRpcMessage;
    let value: JsonValue | undefined;
    try {
      value = parseJsonBody(line);
      message = readJsonRpcMessage(value);
    } catch {
      // Not a JSON-RPC line: a server's stray output is not forwarded. One that names a pending
      // request but cannot be relayed as sent (a number too large to record) fails that request,
      // which would otherwise wait for an answer that already came.
      // A request of the server's own (it has a method) is not an answer, whatever its id.
      const answer =
        typeof value === 'object' && value !== null && !Array.isArray(value) && !('method' in value);
      const id = answer ? salvageId(value!) : null;
      const queue = id === null ? undefined : running.pending.get(id);
      if (id !== null && queue) {
        running.pending.delete(id);
        queue.fail(new VigilError('upstream_failed', 'the upstream sent a message that is not JSON-RPC'));
      }
      return;
    }
    if ((message.kind === 'response' || message.kind === 'error') && message.id !== null) {
      const queue = running.pending.get(message.id);
      if (queue) {
        running.pending.delete(message.id);
        queue.push(message);
        queue.end();
        return;
      }
    }
    // A message the server sent on its own: to the client's GET stream, else alongside the newest request.
    const target = running.listener ?? [...running.pending.values()].at(-1) ?? null;
    target?.push(message);
  }

  #write(running: Running, message: JsonObject): void {
    running.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  /** The process serving `target`, started and initialized again when this replica has none. */
  async #processFor(target: UpstreamTarget): Promise<Running> {
    const existing = this.#running.get(target.key);
    if (existing && !existing.exited) {
      await existing.ready;
      return existing;
    }
    const running = this.#spawn(target.key);
    running.ready = this.#initialize(running, target);
    await running.ready;
    return running;
  }

  async #initialize(running: Running, target: UpstreamTarget): Promise<void> {
    // Random: the key names the caller, which the server has no need to see, and a client's own id cannot be this one.
    const id = `vigil:init:${randomUUID()}`;
    const params: JsonObject =
      target.session && Object.keys(target.session.initialize).length > 0
        ? target.session.initialize
        : {
            protocolVersion: target.session?.protocolVersion ?? target.protocolVersion ?? DEFAULT_VERSION,
            capabilities: {},
            clientInfo: { name: 'vigil', version: '0.1.0' },
          };
    const queue = new MessageQueue<JsonRpcMessage>();
    running.pending.set(id, queue);
    this.#write(running, { jsonrpc: '2.0', id, method: 'initialize', params });
    for await (const m of queue) {
      if (answers(m, id) && m.kind === 'error') {
        throw new VigilError('upstream_failed', 'the upstream refused to initialize again');
      }
    }
    this.#write(running, { jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  async send(message: JsonRpcMessage, target: UpstreamTarget, signal: AbortSignal): Promise<UpstreamReply> {
    let running: Running;
    const live = this.#running.get(target.key);
    if (
      message.kind === 'notification' &&
      message.method === 'notifications/cancelled' &&
      (!live || live.exited)
    ) {
      // No process: nothing runs to cancel, and a fresh one must not be started just to be told so.
      return { sessionId: null, messages: done() };
    }
    if (message.kind === 'request' && message.method === 'initialize') {
      this.#stop(target.key);
      running = this.#spawn(target.key);
    } else {
      running = await this.#processFor(target);
    }
    running.lastUsed = Date.now();
    if (message.kind !== 'request') {
      this.#write(running, toWire(message));
      return { sessionId: null, messages: done() };
    }
    if (running.pending.has(message.id)) {
      throw new VigilError('protocol_violation', 'a request with this id is already in flight');
    }
    const queue = new MessageQueue<JsonRpcMessage>();
    running.pending.set(message.id, queue);
    // The client left: its reader stops waiting (and the request can be cancelled) rather than
    // hang until the process answers. The id stays pending, so a late answer goes nowhere.
    if (signal.aborted) queue.end();
    else signal.addEventListener('abort', () => queue.end(), { once: true });
    this.#write(running, toWire(message));
    return { sessionId: null, messages: queue };
  }

  async listen(target: UpstreamTarget, signal: AbortSignal): Promise<AsyncIterable<JsonRpcMessage> | null> {
    const running = await this.#processFor(target);
    running.listener?.end();
    const queue = new MessageQueue<JsonRpcMessage>();
    running.listener = queue;
    signal.addEventListener('abort', () => {
      if (running.listener === queue) running.listener = null;
      queue.end();
    });
    return queue;
  }

  async terminate(target: UpstreamTarget): Promise<void> {
    this.#stop(target.key);
  }

  #stop(key: string): void {
    const running = this.#running.get(key);
    if (!running) return;
    this.#running.delete(key);
    running.child.stdin.end();
    running.child.kill('SIGTERM');
  }

  async close(): Promise<void> {
    for (const key of [...this.#running.keys()]) this.#stop(key);
  }
}

async function* done(): AsyncIterable<JsonRpcMessage> {}
