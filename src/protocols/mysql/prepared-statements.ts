// The binary protocol's commands on a running connection: PREPARE, EXECUTE, SEND_LONG_DATA, CLOSE
// and RESET. An EXECUTE is judged by the text of a statement the server confirmed preparing
// (waiting for a pipelined PREPARE's answer first), with its parameters decoded by type, long data
// included; a statement id the server never confirmed is refused. The other commands wait for
// pending PREPAREs too, so statement ids mean what the server says. Used by proxy-session.ts.
import { actionDigest } from '../../core/action-digest.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { Relay } from '../../relay/index.js';
import { activityRefusal } from './activity-tables.js';
import type { CommandJudge } from './command-judge.js';
import { type Execution, parseLongData, readExecution, statementIdOf, textOf } from './command-messages.js';
import type { Expectation } from './expectation.js';
import type { LogicalPacket } from './packet-framer.js';
import type { ProxyOptions } from './proxy-options.js';
import { queryPayload } from './query-payloads.js';
import type { ResponseTracker } from './response-tracker.js';
import { classifyMysqlOffThread } from './sql-classifier.js';
import { recordedLongData, StatementRegistry } from './statement-registry.js';
import { decodeText } from './statement-text.js';
import { unjudgeable } from './unjudgeable.js';

/** What the connection lends the prepared-statement commands. */
export interface PreparedStatementHost {
  readonly relay: Pick<Relay, 'closed' | 'toUpstream'>;
  readonly tracker: ResponseTracker;
  readonly judge: CommandJudge;
  readonly options: ProxyOptions;
  /** The session's database as the server last confirmed it. */
  readonly database: () => string | null;
  /** Sends the command upstream, expecting its answer. */
  readonly forward: (p: LogicalPacket, expectation: Expectation) => void;
  /** On a read-only connection, sets the session read-only again behind what was forwarded. */
  readonly keepReadOnly: () => void;
}

export class PreparedStatements {
  readonly #host: PreparedStatementHost;
  readonly #statements = new StatementRegistry();

  constructor(host: PreparedStatementHost) {
    this.#host = host;
  }

  /** COM_RESET_CONNECTION succeeded: the server closed every statement. */
  clear(): void {
    this.#statements.clear();
  }

  /**
   * Classified before it goes upstream, as a query is: a connection has one parse at a time in the
   * parser workers' queue (parser-pool.ts), so pipelined PREPAREs cannot fill it.
   */
  async prepare(p: LogicalPacket): Promise<void> {
    const text = decodeText(textOf(p.payload));
    const classification = await classifyMysqlOffThread(
      text,
      this.#host.options.server,
      this.#host.options.parsing,
    );
    if (this.#host.relay.closed) return;
    this.#host.forward(p, {
      kind: 'prepare',
      // Every earlier command is answered by now, so the database is the one the server prepared in.
      onOk: (id, params) =>
        this.#statements.confirmPrepared(id, text, classification, params, this.#host.database()),
      onErr: () => this.#statements.prepareFailed(),
    });
  }

  async execute(p: LogicalPacket, reply: number): Promise<void> {
    const host = this.#host;
    if (host.tracker.pendingPrepares > 0) {
      await host.tracker.preparesSettled();
      if (host.relay.closed) return;
    }
    const id = statementIdOf(p.payload);
    const stmt = this.#statements.get(id);
    const unknownPayload = queryPayload('', [], host.database(), 'binary', [], String(id));
    if (!stmt) {
      const why = `statement ${id} was not prepared on this connection (the server has not confirmed it)`;
      return host.judge.refuseUnjudged(
        new VigilError('statement_uncertain', why),
        { ...unknownPayload, statement: null },
        reply,
      );
    }
    const classification = stmt.classification;
    const base = queryPayload(
      stmt.text,
      classification.statements,
      stmt.database,
      'binary',
      [],
      String(stmt.id),
    );
    let execution: Execution;
    try {
      execution = readExecution(p.payload, stmt.params, stmt.types, recordedLongData(stmt.longData));
    } catch (err) {
      return host.judge.refuseUnjudged(toVigilError(err, 'protocol_violation'), base, reply);
    }
    const payload = { ...base, parameters: execution.parameters };
    const refusal =
      unjudgeable(classification, host.options.allowUnknownStatements) ??
      activityRefusal(payload.classification.statements, host.options.allowSessionActivity) ??
      host.options.xa.refusal(classification.tokens);
    if (refusal) return host.judge.refuseUnjudged(refusal, payload, reply);
    const recordedMessage = await host.judge.submitted(
      payload,
      () => actionDigest([stmt.text, p.payload]),
      reply,
    );
    if (recordedMessage === null) return;
    if (execution.sentTypes) stmt.types = execution.sentTypes;
    this.#statements.dropLongData(stmt);
    const onStatementOk = host.options.xa.onOk(classification.tokens);
    host.forward(p, {
      kind: 'results',
      binary: true,
      started: performance.now(),
      recordedMessage,
      ...(onStatementOk ? { onStatementOk } : {}),
    });
    host.keepReadOnly();
  }

  sendLongData(p: LogicalPacket): Promise<void> | undefined {
    return this.#afterPrepares(() => this.#longData(p));
  }

  close(p: LogicalPacket): Promise<void> | undefined {
    return this.#afterPrepares(() => {
      this.#statements.close(statementIdOf(p.payload));
      this.#host.relay.toUpstream(p.raw);
    });
  }

  reset(p: LogicalPacket): Promise<void> | undefined {
    const id = statementIdOf(p.payload);
    return this.#afterPrepares(() =>
      this.#host.forward(p, { kind: 'ok', onOk: () => this.#statements.dropLongDataOf(id) }),
    );
  }

  /** Runs `then` once no PREPARE awaits its answer, so statement ids mean what the server says. */
  #afterPrepares(then: () => void): Promise<void> | undefined {
    if (this.#host.tracker.pendingPrepares === 0) {
      then();
      return undefined;
    }
    return this.#host.tracker.preparesSettled().then(() => {
      if (!this.#host.relay.closed) then();
    });
  }

  #longData(p: LogicalPacket): void {
    const m = parseLongData(p.payload);
    const stmt = this.#statements.get(m.statementId);
    if (stmt && m.param < stmt.params) this.#statements.addLongData(stmt, m.param, m.data);
    // No answer comes; an unknown statement or parameter fails at its EXECUTE, which Vigil refuses.
    this.#host.relay.toUpstream(p.raw);
  }
}
