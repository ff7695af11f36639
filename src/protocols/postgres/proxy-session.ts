// One running client connection after the handshake. Client messages are forwarded as received,
// except that every statement is judged and recorded (policy, masking, write-ahead) before its
// Query, Execute or FunctionCall goes upstream, and judged by the text the SERVER will run:
// - prepared statements and portals are known only once the server confirms them
//   (StatementState, fed by the ResponseTracker); before judging an Execute whose Parse or Bind is
//   still unanswered, Vigil asks the server to flush its answers (a Flush message) and waits;
// - what the server skips after an error (everything up to Sync), Vigil skips too;
// - an Execute of a portal whose text Vigil cannot be certain of is refused (fail closed) unless
//   the connection allows unknown statements;
// - settings that change how text is read are pinned (lexical-settings.ts), and a text that would
//   read otherwise under another setting waits until the server has reported the settings every
//   earlier statement left (setting-reports.ts);
// - a statement that runs another by name (EXECUTE s, FETCH c) is judged with the text the server
//   holds under that name (named-references.ts).
// What the server has confirmed, waiting for what it has not, and what a text runs: server-view.ts.
// A refusal is delivered through the server: Vigil sends it a message it must reject, so the
// transaction ends exactly as if the statement had failed there, and the server's error is
// replaced by Vigil's on its way back.
// Socket flow (write-ahead pumping, read-ahead, backpressure) and closing are the relay's
// (src/relay); following the server's messages is upstream-follower.ts; this file is what
// PostgreSQL adds to the client's side.
import type { Socket } from 'node:net';
import { actionDigest } from '../../core/action-digest.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { type RelayProtocol, WriteAheadRelay } from '../../relay/index.js';
import type { CancelOrigin } from './cancel-keys.js';
import { recordCancel } from './cancel-record.js';
import { copyFacts, copyInSettled } from './copy-in.js';
import { copyDoneWhenRecorded } from './copy-in-commit.js';
import { CopyInRecorder } from './copy-in-recorder.js';
import type { Execution, Expectation } from './expectations.js';
import type { Frame, FrameReader } from './frame-reader.js';
import { parseBind, parseExecute, parseParse, parseQuery, parseTarget } from './frontend-messages.js';
import type { ProxyDeps } from './proxy-deps.js';
import {
  executePayload,
  fastPathPayload,
  fastPathUnjudged,
  namespaceChanges,
  notExecuted,
  notUtf8,
  parsePayload,
  pendingBind,
  simpleQueryPayload,
  uncertain,
} from './query-payloads.js';
import type { ResponseTracker } from './response-tracker.js';
import { endingWithServerMessages } from './server-messages.js';
import { ServerView } from './server-view.js';
import { probeOn, type SessionProbe } from './session-probe.js';
import { ResidueWatch } from './session-residue.js';
import { UNKNOWN_STATEMENT } from './sql-classifier.js';
import { StatementState } from './statement-state.js';
import { StatementSubmission } from './statement-submission.js';
import type { UpstreamConnection } from './upstream-connect.js';
import { UpstreamFollower } from './upstream-follower.js';
import {
  heldNoticeResponse,
  isPolicyRefusal,
  POSTGRES_FAREWELLS,
  vigilErrorResponse,
} from './wire-errors.js';
import { flush, parse, query } from './wire-writer.js';

/** Text the server must reject (a syntax error, before any name is stored): carries Vigil's refusals. */
const REFUSAL_SQL = 'vigil refused the statement';

export class PostgresProxy {
  readonly #relay: WriteAheadRelay<Frame>;
  readonly #upstream: UpstreamFollower;
  readonly #session: ModuleSession;
  readonly #deps: ProxyDeps;
  readonly #state = new StatementState();
  readonly #tracker: ResponseTracker;
  readonly #server: ServerView;
  readonly #submission: StatementSubmission;
  readonly #probe: SessionProbe;
  /** What a client sends with COPY FROM STDIN, for the copy's db.result (copy-in-recorder.ts). */
  readonly #copyIn: CopyInRecorder;
  /** Syncs forwarded so far: the number of the extended-protocol batch now being sent. */
  #batch = 0;
  /** Dropping messages up to the next Sync: after Vigil refused one, or because the server will. */
  #discarding = false;
  /** Whether what was forwarded lets the backend be reset and reused (session-residue.ts). */
  readonly #residue = new ResidueWatch();

  constructor(
    client: Socket,
    clientReader: FrameReader,
    upstream: UpstreamConnection,
    session: ModuleSession,
    deps: ProxyDeps,
    onClosed: () => void,
  ) {
    this.#session = session;
    this.#deps = deps;
    this.#submission = new StatementSubmission(
      session,
      (held) => this.#relay.toClient(heldNoticeResponse(held)),
      deps.isSecretName,
      () => this.#probe.ask(),
    );
    this.#copyIn = new CopyInRecorder(deps.recordRows);
    this.#tracker = this.#copyIn.tracker(this.#state, (payload) => this.#recordResult(payload));
    this.#tracker.status = upstream.status;
    this.#server = new ServerView(
      this.#tracker,
      this.#state,
      deps.classifier,
      deps.allowUnknownStatements,
      deps.readOnly,
      () => {
        this.#relay.toUpstream(flush());
        this.#relay.flushUpstream();
      },
    );
    this.#relay = new WriteAheadRelay<Frame>(
      { client, upstream: upstream.socket, session: endingWithServerMessages(session, this.#tracker) },
      (): RelayProtocol<Frame> => ({
        framer: clientReader,
        onClientMessage: (frame) => this.#onClientFrame(frame),
        onUpstreamData: (chunk) => this.#upstream.push(chunk),
        backlogFull: () => this.#tracker.backlogFull,
        farewells: POSTGRES_FAREWELLS,
        stopUpstream: deps.stopUpstream,
        onClosed: () => {
          // A statement held for review is withdrawn with its client.
          this.#submission.close();
          this.#tracker.abandon();
          this.#probe.abandon();
          onClosed();
        },
      }),
    );
    this.#probe = probeOn(this.#tracker, this.#relay, this.#residue, () => this.#batch);
    this.#upstream = new UpstreamFollower(upstream.reader, this.#tracker, this.#relay, deps, this.#probe);
  }

  start(): void {
    // Messages the server sent right after its startup (read with the handshake) come first.
    this.#upstream.push(Buffer.alloc(0));
    this.#relay.start();
  }

  /**
   * A cancel with this session's key (cancel-keys.ts): recorded first (cancel-record.ts), then a
   * held statement is withdrawn, even when the record failed (it has not run, and the client asked
   * that it not). Resolves whether the server may get the cancel; rejects when it is not on record.
   */
  async cancelRequested(origin: CancelOrigin = { peer: null }): Promise<boolean> {
    if (this.#relay.closed) return false;
    const state = { inFlight: this.#tracker.pending > 0, held: this.#submission.held };
    return recordCancel(this.#session, origin, state).finally(() => this.#submission.withdraw());
  }

  // Client → upstream.

  #onClientFrame(frame: Frame): Promise<void> | undefined {
    if (frame.code === 'X') {
      this.#terminate(frame);
      return undefined;
    }
    if (frame.code === 'c' && this.#tracker.copyIn.verdict !== 'clear') return this.#copyDone(frame);
    // Copy data goes to the server whatever Vigil's state: outside a copy the server ignores it.
    if (this.#copyIn.client(frame, this.#tracker.copyIn)) return void this.#relay.toUpstream(frame.raw);
    if (frame.code !== 'H' && this.#tracker.copyIn.verdict !== 'clear') return this.#afterCopyIn(frame);
    // The server ignores everything up to Sync once a message of the batch failed: so does Vigil.
    if (!this.#discarding && this.#tracker.failedBatch === this.#batch && frame.code !== 'S') {
      this.#discarding = true;
    }
    if (this.#discarding) {
      if (frame.code === 'S') {
        this.#discarding = false;
        this.#sync(frame);
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
        if (m.query !== null && this.#server.settingsUnsure(m.query, false))
          return this.#parseWhenSettled(frame, m.name, m.query);
        this.#forward(frame, { kind: 'parse', name: m.name, text: m.query });
        return undefined;
      }
      case 'B': {
        const m = parseBind(frame.body);
        this.#forward(frame, { kind: 'bind', bind: pendingBind(m) });
        return undefined;
      }
      case 'D': {
        const t = parseTarget(frame.body);
        this.#forward(frame, { kind: 'describe', target: t.target, name: t.name });
        return undefined;
      }
      case 'C': {
        const t = parseTarget(frame.body);
        this.#forward(frame, { kind: 'close', target: t.target, name: t.name });
        return undefined;
      }
      case 'S':
        this.#sync(frame);
        return undefined;
      case 'H':
        this.#relay.toUpstream(frame.raw);
        return undefined;
      default:
        throw new VigilError('protocol_violation', `unexpected message type '${frame.code}' from the client`);
    }
  }

  /**
   * A message sent behind an execution that may start a COPY FROM STDIN waits until the server
   * started the copy or answered the execution (copy-in.ts); one the server would read during
   * the copy is a Sync it ignores (dropped here too) or a protocol violation.
   */
  async #afterCopyIn(frame: Frame): Promise<void> {
    if (await copyInSettled(this.#tracker.copyIn, this.#relay, flush(), frame.code))
      return this.#onClientFrame(frame);
  }

  /** A CopyDone that may end a copy waits until the copy's data is on record (copy-in-commit.ts). */
  #copyDone(frame: Frame): Promise<void> {
    const deps = { follower: this.#tracker.copyIn, recorder: this.#copyIn, logger: this.#deps.logger };
    return copyDoneWhenRecorded(frame, { ...deps, relay: this.#relay, session: this.#session });
  }

  async #parseWhenSettled(frame: Frame, name: string, text: string): Promise<void> {
    const unsure = await this.#server.settingsSettled();
    if (this.#relay.closed) return;
    if (unsure) return this.#refuseUnjudged(unsure, parsePayload(name, text), false);
    this.#forward(frame, { kind: 'parse', name, text });
  }

  async #simpleQuery(frame: Frame): Promise<void> {
    const q = parseQuery(frame.body);
    if (q.text === null) {
      return this.#refuseUnjudged(notUtf8(), { statement: null, protocol: 'simple' }, true);
    }
    if (this.#server.settingsUnsure(q.text, true)) {
      const unsure = await this.#server.settingsSettled();
      if (this.#relay.closed) return;
      if (unsure) return this.#refuseUnjudged(unsure, simpleQueryPayload(q.text, [UNKNOWN_STATEMENT]), true);
    }
    const judged = await this.#server.judge(q.text);
    if (this.#relay.closed) return;
    const payload = simpleQueryPayload(q.text, judged.statements, judged.named);
    if (judged.refusal) return this.#refuseUnjudged(judged.refusal, payload, true);
    const recordedMessage = await this.#submitted(payload, () => actionDigest([q.text]), true);
    if (recordedMessage === null || this.#serverSkipsNow()) return;
    this.#residue.ran(judged.statements);
    this.#forward(frame, {
      kind: 'query',
      exec: {
        started: performance.now(),
        recordedMessage: this.#copyIn.prepare(q.text, recordedMessage),
        ...namespaceChanges(this.#deps.classifier, q.text, judged.own),
        ...copyFacts(q.text, judged.own),
      },
    });
  }

  async #execute(frame: Frame): Promise<void> {
    const { portal } = parseExecute(frame.body);
    // On a read-only connection the first Execute of a batch waits for earlier batches' reports.
    if (this.#server.readOnlyUnsure()) {
      await this.#server.settingsSettled();
      if (this.#relay.closed) return;
    }
    const known = await this.#server.portalForExecute(portal, this.#batch);
    if (this.#relay.closed) return;
    if (this.#tracker.failedBatch === this.#batch) {
      // The server failed an earlier message of this batch and skips the Execute: so does Vigil.
      this.#discarding = true;
      return;
    }
    const exec: Execution = {
      started: 0,
      portal,
      ...(known ? { statement: known.statement, resultFormats: known.resultFormats } : {}),
    };
    if (!known || known.text === null) {
      if (!this.#deps.allowUnknownStatements) {
        return this.#refuseUnjudged(uncertain(portal, known), executePayload(portal, known, null), false);
      }
      const recordedMessage = this.#copyIn.prepare(
        null,
        await this.#submitted(executePayload(portal, known, [UNKNOWN_STATEMENT]), undefined, false),
      );
      if (recordedMessage === null || this.#serverSkipsNow()) return;
      this.#residue.ranUnread();
      this.#forward(frame, {
        kind: 'execute',
        exec: { ...exec, started: performance.now(), recordedMessage, mayCopyIn: true },
      });
      return;
    }
    const judged = await this.#server.judge(known.text);
    if (this.#relay.closed) return;
    const payload = executePayload(portal, known, judged.statements, judged.named);
    if (judged.refusal) return this.#refuseUnjudged(judged.refusal, payload, false);
    const digest = () => actionDigest([known.text, ...known.rawParams]);
    const recordedMessage = await this.#submitted(payload, digest, false);
    // Nothing was forwarded while the statement was judged, so the portal can only have been
    // dropped meanwhile (a transaction ended), never rebound; Vigil still refuses rather than assume.
    if (recordedMessage === null || this.#serverSkipsNow()) return;
    const now = this.#server.portalNow(portal);
    if (now?.text !== known.text || now.statement !== known.statement || now.params !== known.params) {
      return this.#refuse(uncertain(portal, undefined), false);
    }
    this.#residue.ran(judged.statements);
    this.#forward(frame, {
      kind: 'execute',
      exec: {
        ...exec,
        started: performance.now(),
        recordedMessage: this.#copyIn.prepare(known.text, recordedMessage),
        ...namespaceChanges(this.#deps.classifier, known.text, judged.own),
        ...copyFacts(known.text, judged.own),
      },
    });
  }

  /**
   * While a statement was being recorded, the server may have failed an earlier message of the
   * batch: it will skip this one, so Vigil does not forward it (the record says it did not run).
   */
  #serverSkipsNow(): boolean {
    if (this.#relay.closed || this.#tracker.failedBatch !== this.#batch) return false;
    this.#discarding = true;
    this.#recordResult(notExecuted(this.#tracker.lastError));
    return true;
  }

  /** The legacy fast-path call runs a function by oid, with no SQL text to judge. */
  async #functionCall(frame: Frame): Promise<void> {
    const oid = frame.body.length >= 4 ? frame.body.readUInt32BE(0) : 0;
    const payload = fastPathPayload(oid);
    if (!this.#deps.allowUnknownStatements) return this.#refuseUnjudged(fastPathUnjudged(), payload, true);
    if ((await this.#submitted(payload, () => actionDigest([frame.body]), true)) === null) return;
    if (this.#serverSkipsNow()) return;
    this.#residue.ranUnread();
    this.#forward(frame, { kind: 'query', exec: { started: performance.now() } });
  }

  /**
   * Submits the statement (statement-submission.ts) and answers a refusal to the client. Resolves with what may be
   * recorded of the server's error message about the statement, or null when refused.
   */
  async #submitted(
    payload: JsonObject,
    digest: (() => string) | undefined,
    simple: boolean,
  ): Promise<((message: string) => string) | null> {
    try {
      return await this.#submission.submit(payload, digest);
    } catch (err) {
      this.#refuse(err, simple);
      return null;
    }
  }

  /**
   * A statement Vigil refuses before policy can judge it (its text is unknown or unreadable, or it
   * would change a pinned setting): the attempt and the refusal are recorded all the same.
   */
  async #refuseUnjudged(error: VigilError, payload: JsonObject, simple: boolean): Promise<void> {
    try {
      await this.#session.refuseAction('db.query', payload, error);
    } catch (err) {
      return this.#refuse(err, simple);
    }
    this.#refuse(error, simple);
  }

  #refuse(err: unknown, simple: boolean): void {
    if (this.#relay.closed) return;
    const error = toVigilError(err);
    if (!isPolicyRefusal(error.code)) {
      this.#deps.logger.warn({ code: error.code, err: error.message }, 'postgres statement refused');
    }
    const refusal = vigilErrorResponse(error, false);
    // When the server already failed this batch it skips to Sync anyway: the client has its error.
    if (simple) {
      if (this.#tracker.expect({ kind: 'refusal', simple: true, error: refusal, batch: this.#batch }))
        this.#relay.toUpstream(query(REFUSAL_SQL));
      else this.#discarding = true;
    } else {
      if (this.#tracker.expect({ kind: 'refusal', simple: false, error: refusal, batch: this.#batch }))
        this.#relay.toUpstream(parse('vigil_refused', REFUSAL_SQL));
      this.#discarding = true;
    }
  }

  #sync(frame: Frame): void {
    this.#forward(frame, { kind: 'sync' });
    this.#batch++;
  }

  /**
   * Terminate: passed on, and both sides end as they would without Vigil; or, with upstream reuse,
   * the server connection is kept when nothing is in flight and no transaction is open.
   */
  #terminate(frame: Frame): void {
    const keep = this.#deps.keepUpstream;
    if (keep && this.#quiet()) {
      const upstream = this.#relay.detachUpstream();
      if (upstream) {
        keep(upstream);
        return;
      }
    }
    this.#relay.finish(frame.raw);
  }

  /**
   * Nothing in flight either way, outside a transaction, nothing left that the reset keeps: the
   * server is where a new session starts.
   */
  #quiet(): boolean {
    return (
      this.#residue.resettable &&
      this.#tracker.pending === 0 &&
      this.#tracker.status === 'I' &&
      !this.#discarding &&
      !this.#submission.active &&
      this.#upstream.buffered === 0
    );
  }

  #forward(frame: Frame, body: DistributiveOmit<Expectation, 'batch'>): void {
    this.#residue.forwarded(body.kind);
    if (this.#tracker.expect({ ...body, batch: this.#batch } as Expectation))
      this.#relay.toUpstream(frame.raw);
    else this.#discarding = true;
  }

  /** Nothing waits for a result's record: it is committed with the next statement's (deferred). */
  #recordResult(payload: JsonObject): void {
    this.#session.touch();
    this.#session.observe('db.result', payload, { deferred: true }).catch((err: unknown) => {
      this.#deps.logger.warn({ err: toVigilError(err).message }, 'db.result not recorded');
    });
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
