// One running client connection after the handshake. Commands are forwarded as received, except
// that every one that runs something is judged and recorded (policy, masking, write-ahead) before
// it goes upstream, and judged by what the SERVER will run: an EXECUTE by the text of a statement
// the server confirmed preparing (waiting for a pipelined PREPARE's answer first), with its
// parameters decoded by type, long data included. What Vigil cannot be sure of is refused: an
// unparseable statement (unless allowed), SQL-level PREPARE/EXECUTE of text it cannot see, a
// statement id the server never confirmed, a cursor, COM_CHANGE_USER, unknown commands. A refusal
// is an ERR packet delivered in order with the server's answers; the connection stays usable.
// Socket flow and closing are the relay's (src/relay); this file is what MySQL adds to it: the
// dispatch of client commands, the text and KILL paths, and the upstream side. Judging and refusing
// is command-judge.ts's; the binary protocol's commands are prepared-statements.ts's.
import type { Socket } from 'node:net';
import { actionDigest } from '../../core/action-digest.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { tableName } from '../../policy/table-patterns.js';
import { type Relay, type RelayProtocol, WriteAheadRelay } from '../../relay/index.js';
import { activityRefusal } from './activity-tables.js';
import { CommandJudge } from './command-judge.js';
import { parseFieldList, textOf } from './command-messages.js';
import { COM } from './constants.js';
import type { Expectation } from './expectation.js';
import { DO_NOTHING, planKill } from './kill-statement.js';
import { infileDigest } from './local-infile.js';
import type { ClientPacketFramer, LogicalPacket } from './packet-framer.js';
import { PhysicalPacketFramer } from './packet-framer.js';
import { PreparedStatements } from './prepared-statements.js';
import type { ProxyOptions } from './proxy-options.js';
import { commandPayload, type MysqlQueryPayload, queryPayload, quoteName } from './query-payloads.js';
import { readOnlyTextRefusal } from './read-only-texts.js';
import { ResponseTracker } from './response-tracker.js';
import {
  comQuery,
  READ_ONLY_SESSION,
  READABLE_SESSION_CHECK,
  UNREADABLE_AFTER_RESET,
} from './session-checks.js';
import { type Classification, classifyMysqlOffThread, KILL_KIND } from './sql-classifier.js';
import { databaseChangesOf, decodeText } from './statement-text.js';
import { unjudgeable } from './unjudgeable.js';
import { MYSQL_FAREWELLS } from './wire-errors.js';

/** A statement Vigil runs on the session itself, its answer kept from the client. */
type OwnStatement = Extract<Expectation, { kind: 'own' }>;

/** The keyword LOAD DATA LOCAL needs, in any case. */
const LOCAL_KEYWORD = /local/i;

/**
 * Commands recorded with the session's database: judged once the server has said which it is. An
 * EXECUTE is recorded with its statement's (the database it runs in), known from the PREPARE's answer.
 */
const RECORDS_DATABASE = new Set<number>([COM.QUERY, COM.INIT_DB, COM.FIELD_LIST, COM.RESET_CONNECTION]);

export class MysqlProxy {
  readonly #relay: WriteAheadRelay<LogicalPacket>;
  readonly #session: ModuleSession;
  readonly #options: ProxyOptions;
  readonly #upstreamFramer = new PhysicalPacketFramer();
  readonly #tracker: ResponseTracker;
  readonly #judge: CommandJudge;
  readonly #prepared: PreparedStatements;
  #database: string | null;
  /** Forwarded commands that may change the database (COM_INIT_DB, a text with USE) not yet answered. */
  #databaseChanges = 0;
  #databaseWaiters: (() => void)[] = [];
  #out: Buffer[] = [];

  constructor(
    client: Socket,
    framer: ClientPacketFramer,
    upstream: Socket,
    session: ModuleSession,
    options: ProxyOptions,
  ) {
    this.#session = session;
    this.#options = options;
    this.#database = options.database;
    this.#tracker = new ResponseTracker({
      deprecateEof: options.deprecateEof,
      extendedMetadata: options.extendedMetadata,
      recordRows: options.recordRows,
      allowLocalInfile: options.allowLocalInfile,
      toClient: (bytes) => this.#out.push(bytes),
      record: (payload) => this.#recordResult(payload),
      onDatabase: (change) => {
        if ('use' in change) this.#database = change.use;
        // Names compare as the server does with lower_case_table_names = 0 (Linux's default).
        else if (change.dropped === this.#database) this.#database = null;
      },
    });
    this.#relay = new WriteAheadRelay<LogicalPacket>(
      { client, upstream, session },
      (): RelayProtocol<LogicalPacket> => ({
        framer,
        onClientMessage: (p) => this.#onClientPacket(p),
        onUpstreamData: (chunk) => this.#fromUpstream(chunk),
        backlogFull: () => this.#tracker.backlogFull,
        farewells: MYSQL_FAREWELLS,
        stopUpstream: options.stopUpstream,
        onClosed: () => {
          this.#judge.close();
          this.#tracker.abandon();
          for (const w of this.#databaseWaiters.splice(0)) w();
          options.onClosed();
        },
      }),
    );
    this.#judge = new CommandJudge(session, options, {
      closed: () => this.#relay.closed,
      answer: (packet) => {
        this.#tracker.expect({ kind: 'refusal', packet });
        this.#flushClient();
      },
    });
    this.#prepared = new PreparedStatements({
      relay: this.#relay,
      tracker: this.#tracker,
      judge: this.#judge,
      options,
      database: () => this.#database,
      forward: (p, expectation) => this.#forward(p, expectation),
      keepReadOnly: () => this.#keepReadOnly(),
    });
  }

  get relay(): Relay {
    return this.#relay;
  }

  start(leftover: Buffer): void {
    if (leftover.length > 0) this.#fromUpstream(leftover);
    this.#relay.start();
  }

  // Client → upstream.

  #onClientPacket(p: LogicalPacket): Promise<void> | undefined {
    if (this.#tracker.infileActive) {
      this.#tracker.infileData(p.payload);
      this.#relay.toUpstream(p.raw);
      return undefined;
    }
    if (this.#tracker.fileRequestPossible) return this.#afterFileRequest(p);
    if (this.#databaseChanges > 0 && RECORDS_DATABASE.has(p.payload[0]!)) return this.#afterDatabaseChange(p);
    if (p.seq !== 0) throw new VigilError('protocol_violation', 'a command must start a new sequence');
    if (p.payload.length === 0) throw new VigilError('protocol_violation', 'an empty command packet');
    const reply = (p.lastSeq + 1) & 0xff;
    switch (p.payload[0]) {
      case COM.QUIT:
        this.#relay.finish(p.raw);
        return undefined;
      case COM.QUERY:
        return this.#query(p, reply);
      case COM.STMT_PREPARE:
        return this.#prepared.prepare(p);
      case COM.STMT_EXECUTE:
        return this.#prepared.execute(p, reply);
      case COM.STMT_SEND_LONG_DATA:
        return this.#prepared.sendLongData(p);
      case COM.STMT_CLOSE:
        return this.#prepared.close(p);
      case COM.STMT_RESET:
        return this.#prepared.reset(p);
      case COM.INIT_DB: {
        const name = decodeText(textOf(p.payload));
        return this.#command(
          p,
          reply,
          commandPayload('init_db', `USE ${quoteName(name)}`, this.#database, 'USE'),
          {
            kind: 'ok',
            onOk: () => {
              this.#database = name;
            },
            onAnswered: this.#databaseAnswered,
          },
        );
      }
      case COM.FIELD_LIST: {
        const table = parseFieldList(p.payload);
        const statement = `SHOW COLUMNS FROM ${quoteName(table)}`;
        return this.#command(
          p,
          reply,
          // One name, which may hold a dot: recorded as policy reads names (table-patterns.ts).
          commandPayload('field_list', statement, this.#database, 'SHOW', [tableName([table], '`')]),
          {
            kind: 'fields',
          },
        );
      }
      case COM.RESET_CONNECTION:
        return this.#command(
          p,
          reply,
          commandPayload('reset_connection', '-- COM_RESET_CONNECTION', this.#database, 'TRANSACTION'),
          {
            kind: 'ok',
            onOk: () => {
              this.#prepared.clear();
              this.#options.xa.reset();
            },
          },
          // The reset gives the session the server's defaults, which Vigil checks before any later
          // command runs: a read-only connection's upstream is made read-only again, and a mode or
          // character set Vigil cannot read text under ends the session.
          [
            ...(this.#options.readOnly ? [{ kind: 'own', what: READ_ONLY_SESSION } as const] : []),
            { kind: 'own', what: READABLE_SESSION_CHECK, refusal: UNREADABLE_AFTER_RESET },
          ],
        );
      case COM.PING:
      case COM.SET_OPTION:
        this.#forward(p, { kind: 'ok' });
        return undefined;
      case COM.STATISTICS:
        this.#forward(p, { kind: 'single' });
        return undefined;
      case COM.CHANGE_USER:
        return this.#judge.refuseCommand(
          reply,
          'COM_CHANGE_USER is refused through Vigil: a Vigil session belongs to one identity; reconnect with another token',
        );
      case COM.STMT_FETCH:
        return this.#judge.refuseCommand(reply, 'cursors (COM_STMT_FETCH) are not supported through Vigil');
      default:
        return this.#judge.refuseCommand(
          reply,
          `command 0x${p.payload[0]!.toString(16)} is not supported through Vigil`,
        );
    }
  }

  /**
   * A packet sent behind LOAD DATA LOCAL before the server asked for the file is the file's first
   * packet to the server, not a command: it waits until the server has asked (file content) or
   * answered (a command).
   */
  async #afterFileRequest(p: LogicalPacket): Promise<void> {
    while (this.#tracker.fileRequestPossible) {
      await this.#tracker.fileRequestSettled();
      if (this.#relay.closed) return;
    }
    return this.#onClientPacket(p);
  }

  /**
   * A command pipelined behind one that may change the database waits for its answer: recorded
   * before it, the command would name the database the session had, not the one the server runs
   * it in (`COM_INIT_DB hr` then `SELECT * FROM salaries` was recorded as read from the first).
   */
  async #afterDatabaseChange(p: LogicalPacket): Promise<void> {
    while (this.#databaseChanges > 0) {
      await new Promise<void>((resolve) => this.#databaseWaiters.push(resolve));
      if (this.#relay.closed) return;
    }
    return this.#onClientPacket(p);
  }

  readonly #databaseAnswered = (): void => {
    this.#databaseChanges--;
    if (this.#databaseChanges === 0) for (const w of this.#databaseWaiters.splice(0)) w();
  };

  async #query(p: LogicalPacket, reply: number): Promise<void> {
    const text = decodeText(textOf(p.payload));
    const classification = await classifyMysqlOffThread(text, this.#options.server, this.#options.parsing);
    const payload = queryPayload(text, classification.statements, this.#database);
    if (classification.statements.some((s) => s.kind === KILL_KIND)) {
      return this.#kill(text, classification, payload, reply);
    }
    const refusal =
      unjudgeable(classification, this.#options.allowUnknownStatements) ??
      activityRefusal(payload.classification.statements, this.#options.allowSessionActivity) ??
      (this.#options.readOnly ? readOnlyTextRefusal(classification) : null) ??
      this.#options.xa.refusal(classification.tokens);
    if (refusal) return this.#judge.refuseUnjudged(refusal, payload, reply);
    const recordedMessage = await this.#judge.submitted(payload, () => actionDigest([text]), reply);
    if (recordedMessage === null) return;
    const uses = databaseChangesOf(classification);
    const onStatementOk = this.#options.xa.onOk(classification.tokens);
    this.#forward(p, {
      kind: 'results',
      binary: false,
      started: performance.now(),
      ...(uses ? { uses, onAnswered: this.#databaseAnswered } : {}),
      ...(onStatementOk ? { onStatementOk } : {}),
      recordedMessage,
      // `LOCAL` is a keyword no quoting or escape can spell otherwise: a text without it cannot
      // load a local file (version comments included).
      mayAskFile: this.#options.allowLocalInfile && LOCAL_KEYWORD.test(text),
      infileDigest: infileDigest(classification.tokens, this.#options.isSecretName),
    });
    this.#keepReadOnly();
  }

  /**
   * On a read-only connection, after a command that may have run stored code: the session is set
   * read-only again before the next command reaches the server (read-only-texts.ts says why).
   */
  #keepReadOnly(): void {
    if (this.#options.readOnly) this.#runOwn({ kind: 'own', what: READ_ONLY_SESSION });
  }

  /**
   * A KILL names one of Vigil's connections (the id its greeting gave): judged and recorded like
   * any statement, then carried out on that connection's server thread from a second login. The
   * server is sent a statement that does nothing in its place, so the client's answer, status
   * flags included, is the server's own. Any KILL Vigil cannot map is refused, never forwarded:
   * the server would read the number as one of its own threads, someone else's.
   */
  async #kill(text: string, c: Classification, payload: MysqlQueryPayload, reply: number): Promise<void> {
    const plan = planKill(c, payload, this.#options.kills, this.#session.identity);
    if ('refusal' in plan) return this.#judge.refuseUnjudged(plan.refusal, payload, reply);
    if ((await this.#judge.submitted(plan.payload, () => actionDigest([text]), reply)) === null) return;
    try {
      await plan.target.kill(plan.mode);
    } catch (err) {
      return this.#judge.refuse(err, reply);
    }
    if (this.#relay.closed) return;
    this.#tracker.expect({ kind: 'results', binary: false, started: performance.now() });
    this.#relay.toUpstream(DO_NOTHING);
  }

  async #command(
    p: LogicalPacket,
    reply: number,
    payload: MysqlQueryPayload,
    expectation: Expectation,
    /** Statements of Vigil's own to run right after the command, their answers kept from the client. */
    then: readonly OwnStatement[] = [],
  ): Promise<void> {
    if ((await this.#judge.submitted(payload, undefined, reply)) === null) return;
    this.#forward(p, expectation);
    for (const own of then) this.#runOwn(own);
  }

  /** A statement of Vigil's own, sent right behind what was forwarded; its answer is kept from the client. */
  #runOwn(own: OwnStatement): void {
    this.#tracker.expect(own);
    this.#relay.toUpstream(comQuery(own.what));
  }

  #forward(p: LogicalPacket, expectation: Expectation): void {
    // Counted once forwarded, not when built: a refused command owes no answer.
    if ('onAnswered' in expectation && expectation.onAnswered === this.#databaseAnswered)
      this.#databaseChanges++;
    this.#tracker.expect(expectation);
    this.#relay.toUpstream(p.raw);
  }

  // Upstream → client.

  #fromUpstream(chunk: Buffer): void {
    if (this.#relay.closed) return;
    this.#upstreamFramer.push(chunk);
    try {
      for (let p = this.#upstreamFramer.next(); p; p = this.#upstreamFramer.next()) this.#tracker.observe(p);
    } catch (err) {
      this.#flushClient();
      const error = toVigilError(err, 'upstream_failed');
      this.#options.logger.warn({ err: error.message }, 'mysql upstream answer Vigil cannot follow');
      this.#relay.fail(error);
      return;
    }
    this.#flushClient();
  }

  #flushClient(): void {
    if (this.#out.length === 0) return;
    const out = this.#out;
    this.#out = [];
    this.#relay.toClient(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /** Nothing waits for a result's record: it is committed with the next statement's (deferred). */
  #recordResult(payload: JsonObject): void {
    this.#session.touch();
    this.#session.observe('db.result', payload, { deferred: true }).catch((err: unknown) => {
      this.#options.logger.warn({ err: toVigilError(err).message }, 'db.result not recorded');
    });
  }
}
