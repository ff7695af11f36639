// One running client connection after the handshake: client frames are inspected and forwarded
// as received, except that every statement is submitted to the pipeline (policy, masking,
// write-ahead recording) before its Query or Execute goes upstream. Server frames are forwarded
// as received while a ResponseTracker turns them into db.result events.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue, SessionEndReason } from '../../core/events.js';
import type { HeldNotice, Pipeline } from '../../pipeline/pipeline.js';
import type { LiveSession, SessionManager } from '../../pipeline/sessions.js';
import type { Frame, FrameReader } from './frame-reader.js';
import { parseBind, parseExecute, parseParse, parseQuery, parseTarget } from './frontend-messages.js';
import { ResponseTracker } from './response-tracker.js';
import { type SqlClassifier, UNKNOWN_STATEMENT } from './sql-classifier.js';
import type { UpstreamConnection } from './upstream-connect.js';
import { heldNoticeResponse, isPolicyRefusal, vigilErrorResponse } from './wire-errors.js';
import { errorResponse, readyForQuery } from './wire-writer.js';

export interface ProxyDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly classifier: SqlClassifier;
  readonly recordRows: number;
  readonly logger: { warn(obj: object, msg: string): void };
}

interface Portal {
  readonly statement: string;
  readonly text: string | null;
  readonly params: JsonValue[];
  readonly resultFormats: readonly number[];
}

/** A refusal written into the server's reply stream at the right place: around the ReadyForQuery numbered `z`. */
interface Injection {
  readonly z: number;
  readonly before: boolean;
  readonly error: Buffer;
}

type ClientSocket = Socket | TLSSocket;

/** Backend messages can be as large as PostgreSQL allows (1 GB); the client side has the configured cap. */
const UPSTREAM_MAX_MESSAGE = 0x4000_0000 + 5;

export class PostgresProxy {
  readonly #client: ClientSocket;
  readonly #clientReader: FrameReader;
  readonly #upstream: UpstreamConnection;
  readonly #upstreamReader: FrameReader;
  readonly #session: LiveSession;
  readonly #deps: ProxyDeps;
  readonly #tracker: ResponseTracker;
  readonly #statements = new Map<string, string>();
  readonly #portals = new Map<string, Portal>();
  readonly #injections: Injection[] = [];
  readonly #onClosed: () => void;
  /** Aborted when the connection ends: a statement held for review is withdrawn. */
  readonly #gone = new AbortController();
  #toUpstream: Buffer[] = [];
  #zForwarded = 0;
  #zReceived = 0;
  #discarding: Buffer | null = null;
  #pumping = false;
  #waiting = false;
  #clientBlocked = false;
  #closed = false;

  constructor(
    client: ClientSocket,
    clientReader: FrameReader,
    upstream: UpstreamConnection,
    session: LiveSession,
    deps: ProxyDeps,
    onClosed: () => void,
  ) {
    this.#client = client;
    this.#clientReader = clientReader;
    this.#upstream = upstream;
    this.#upstreamReader = upstream.reader;
    this.#upstreamReader.maxBytes = UPSTREAM_MAX_MESSAGE;
    this.#session = session;
    this.#deps = deps;
    this.#onClosed = onClosed;
    this.#tracker = new ResponseTracker(deps.recordRows, (payload) => this.#recordResult(payload));
    this.#tracker.status = upstream.status;
  }

  start(): void {
    const { socket } = this.#upstream;
    this.#session.cutters.add(this.#cut);
    this.#client.on('data', (chunk: Buffer) => {
      this.#clientReader.push(chunk);
      void this.#pump();
    });
    socket.on('data', (chunk: Buffer) => this.#fromUpstream(chunk));
    this.#client.on('close', () => this.#close('client-closed'));
    this.#client.on('error', () => this.#close('client-closed'));
    socket.on('close', () => this.#close('closed'));
    socket.on('error', () => this.#close('closed'));
    this.#fromUpstream(Buffer.alloc(0));
    void this.#pump();
  }

  readonly #cut = (reason: SessionEndReason) => {
    if (this.#closed) return;
    const err = errorResponse({
      severity: 'FATAL',
      code: '57P01',
      message: `vigil: the session was ended (${reason})`,
    });
    this.#client.end(err);
    this.#upstream.socket.destroy();
    setTimeout(() => this.#client.destroy(), 1000).unref();
  };

  // Client → upstream.

  async #pump(): Promise<void> {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    try {
      for (;;) {
        const frame = this.#clientReader.next();
        if (!frame) break;
        const work = this.#onClientFrame(frame);
        if (work) {
          // Write-ahead: what came before goes out now; the client waits while the statement is recorded.
          this.#flushUpstream();
          this.#waiting = true;
          this.#updateClientFlow();
          await work;
          this.#waiting = false;
          this.#updateClientFlow();
          if (this.#closed) return;
        }
      }
      this.#flushUpstream();
    } catch (err) {
      this.#fatal(toVigilError(err, 'protocol_violation'));
    } finally {
      this.#pumping = false;
    }
  }

  #onClientFrame(frame: Frame): Promise<void> | undefined {
    if (this.#discarding) {
      // After a refused Execute the messages up to Sync are dropped, as the server does after an error.
      if (frame.code === 'S') {
        this.#injections.push({ z: this.#zForwarded + 1, before: true, error: this.#discarding });
        this.#discarding = null;
        this.#sync(frame);
      } else if (frame.code === 'X') {
        this.#terminate(frame);
      }
      return undefined;
    }
    switch (frame.code) {
      case 'Q':
        return this.#simpleQuery(frame);
      case 'E':
        return this.#execute(frame);
      case 'F':
        return this.#functionCall(frame);
      case 'P': {
        const m = parseParse(frame.body);
        this.#statements.set(m.name, m.query);
        this.#tracker.forget('S', m.name);
        this.#forward(frame, { kind: 'parse' });
        return undefined;
      }
      case 'B': {
        const m = parseBind(frame.body);
        this.#portals.set(m.portal, {
          statement: m.statement,
          text: this.#statements.get(m.statement) ?? null,
          params: m.params.map((p) =>
            p === null ? null : p.binary ? `\\x${p.value.toString('hex')}` : p.value.toString('utf8'),
          ),
          resultFormats: m.resultFormats,
        });
        this.#tracker.forget('P', m.portal);
        this.#forward(frame, { kind: 'bind' });
        return undefined;
      }
      case 'D': {
        const t = parseTarget(frame.body);
        this.#forward(frame, { kind: 'describe', target: t.target, name: t.name });
        return undefined;
      }
      case 'C': {
        const t = parseTarget(frame.body);
        if (t.target === 'S') this.#statements.delete(t.name);
        else this.#portals.delete(t.name);
        this.#tracker.forget(t.target, t.name);
        this.#forward(frame, { kind: 'close' });
        return undefined;
      }
      case 'S':
        this.#sync(frame);
        return undefined;
      case 'H':
      case 'd':
      case 'c':
      case 'f':
        this.#toUpstream.push(frame.raw);
        return undefined;
      case 'X':
        this.#terminate(frame);
        return undefined;
      default:
        throw new VigilError('protocol_violation', `unexpected message type '${frame.code}' from the client`);
    }
  }

  async #simpleQuery(frame: Frame): Promise<void> {
    const sql = parseQuery(frame.body);
    const statements = this.#deps.classifier.classify(sql);
    await this.#submitThenForward(frame, {
      statement: sql,
      parameters: [],
      statement_name: null,
      portal: null,
      protocol: 'simple',
      classification: { statements },
    });
  }

  /**
   * A message that answers with its own ReadyForQuery (Query, FunctionCall): recorded first, then
   * forwarded; refused, it goes nowhere and the client gets the error and a ReadyForQuery in turn.
   */
  async #submitThenForward(frame: Frame, payload: JsonObject): Promise<void> {
    try {
      await this.#deps.pipeline.submit(this.#session, 'db.query', payload, this.#submitOptions);
    } catch (err) {
      this.#injections.push({ z: this.#zForwarded, before: false, error: this.#refusal(err) });
      this.#drainInjections();
      return;
    }
    this.#forward(frame, { kind: 'query', exec: { started: performance.now() } });
    this.#zForwarded++;
  }

  async #execute(frame: Frame): Promise<void> {
    const { portal } = parseExecute(frame.body);
    const p = this.#portals.get(portal);
    const text = p?.text ?? null;
    const statements = text === null ? [UNKNOWN_STATEMENT] : this.#deps.classifier.classify(text);
    try {
      await this.#deps.pipeline.submit(
        this.#session,
        'db.query',
        {
          statement: text,
          parameters: p?.params ?? [],
          statement_name: p?.statement ?? null,
          portal,
          protocol: 'extended',
          classification: { statements },
        },
        this.#submitOptions,
      );
    } catch (err) {
      this.#discarding = this.#refusal(err);
      return;
    }
    this.#forward(frame, {
      kind: 'execute',
      exec: {
        started: performance.now(),
        portal,
        ...(p ? { statement: p.statement, resultFormats: p.resultFormats } : {}),
      },
    });
  }

  /** The legacy fast-path call runs a function by oid: recorded like a statement, judged as unknown. */
  async #functionCall(frame: Frame): Promise<void> {
    const oid = frame.body.length >= 4 ? frame.body.readUInt32BE(0) : 0;
    await this.#submitThenForward(frame, {
      statement: `-- fast-path function call (oid ${oid})`,
      parameters: [],
      statement_name: null,
      portal: null,
      protocol: 'fastpath',
      classification: { statements: [UNKNOWN_STATEMENT] },
    });
  }

  /** Held for review: the client hears why it waits and what to tell a reviewer. */
  readonly #submitOptions = {
    signal: this.#gone.signal,
    onHeld: (held: HeldNotice) => {
      if (!this.#closed) this.#client.write(heldNoticeResponse(held));
    },
  };

  #refusal(err: unknown): Buffer {
    const error = toVigilError(err);
    if (!isPolicyRefusal(error.code)) {
      this.#deps.logger.warn({ code: error.code, err: error.message }, 'postgres statement refused');
    }
    return vigilErrorResponse(error, false);
  }

  #sync(frame: Frame): void {
    this.#forward(frame, { kind: 'sync' });
    this.#zForwarded++;
  }

  #terminate(frame: Frame): void {
    this.#flushUpstream();
    this.#upstream.socket.end(frame.raw);
    this.#client.end();
  }

  #forward(frame: Frame, expectation: Parameters<ResponseTracker['expect']>[0]): void {
    this.#tracker.expect(expectation);
    this.#toUpstream.push(frame.raw);
  }

  #flushUpstream(): void {
    if (this.#toUpstream.length === 0 || this.#closed) return;
    const socket = this.#upstream.socket;
    const parts = this.#toUpstream;
    this.#toUpstream = [];
    const ok = socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    if (!ok && !this.#clientBlocked) {
      this.#clientBlocked = true;
      this.#updateClientFlow();
      socket.once('drain', () => {
        this.#clientBlocked = false;
        this.#updateClientFlow();
      });
    }
  }

  /** The client is read while nothing is being recorded and the upstream keeps up. */
  #updateClientFlow(): void {
    if (this.#closed) return;
    if (this.#waiting || this.#clientBlocked) this.#client.pause();
    else this.#client.resume();
  }

  // Upstream → client.

  #fromUpstream(chunk: Buffer): void {
    if (this.#closed) return;
    this.#upstreamReader.push(chunk);
    const out: Buffer[] = [];
    try {
      for (;;) {
        const frame = this.#upstreamReader.next();
        if (!frame) break;
        this.#tracker.observe(frame);
        if (frame.code === 'Z') {
          this.#zReceived++;
          this.#takeInjections(out, true);
          out.push(frame.raw);
          this.#takeInjections(out, false);
        } else {
          out.push(frame.raw);
        }
      }
    } catch (err) {
      this.#deps.logger.warn({ err: toVigilError(err).message }, 'unreadable message from the upstream');
      this.#close('closed');
      return;
    }
    if (out.length === 0) return;
    const ok = this.#client.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    if (!ok) {
      this.#upstream.socket.pause();
      this.#client.once('drain', () => this.#upstream.socket.resume());
    }
  }

  /** Refusals placed just before (extended protocol) or just after (simple query) the ReadyForQuery just received. */
  #takeInjections(out: Buffer[], before: boolean): void {
    for (;;) {
      const next = this.#injections[0];
      if (!next || next.z !== this.#zReceived || next.before !== before) return;
      this.#injections.shift();
      out.push(next.error);
      if (!next.before) out.push(readyForQuery(this.#tracker.status));
    }
  }

  /** Writes refusals that no longer wait for a server reply. */
  #drainInjections(): void {
    const out: Buffer[] = [];
    while (this.#injections.length > 0) {
      const next = this.#injections[0]!;
      if (next.before || next.z > this.#zReceived) break;
      this.#injections.shift();
      out.push(next.error, readyForQuery(this.#tracker.status));
    }
    if (out.length > 0) this.#client.write(Buffer.concat(out));
  }

  #recordResult(payload: JsonObject): void {
    this.#deps.sessions.touch(this.#session);
    this.#deps.pipeline.observe(this.#session, 'db.result', payload).catch((err: unknown) => {
      this.#deps.logger.warn({ err: toVigilError(err).message }, 'db.result not recorded');
    });
  }

  #fatal(err: VigilError): void {
    if (this.#closed) return;
    this.#client.end(vigilErrorResponse(err, true));
    this.#close('client-closed', { error: err.code });
  }

  #close(reason: SessionEndReason, facts: JsonObject = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#gone.abort();
    this.#session.cutters.delete(this.#cut);
    if (!this.#client.writableEnded) {
      if (reason === 'client-closed') this.#client.end();
      else
        this.#client.end(
          errorResponse({
            severity: 'FATAL',
            code: '08006',
            message: 'vigil: the upstream server closed the connection',
          }),
        );
    }
    setTimeout(() => this.#client.destroy(), 1000).unref();
    this.#upstream.socket.destroy();
    this.#onClosed();
    void this.#deps.sessions.end(this.#session, reason, facts);
  }
}
