// Follows the server's answers to the commands Vigil forwarded, in order (a client may send
// several before reading: the MariaDB connector pipelines PREPARE and EXECUTE). For each command it
// knows what the answer looks like (an OK or ERR; result sets, several with multi-statements; the
// PREPARE OK and its definitions; a LOCAL INFILE request), so it can tell where one answer ends,
// record a db.result per statement, confirm prepared statements only from the server's OK, and
// deliver Vigil's own refusals in order with the server's answers.
import { createHash, type Hash } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { echoedRows } from '../../mask/index.js';
import { STATUS } from './constants.js';
import type { Expectation } from './expectation.js';
import { parseErr } from './handshake-messages.js';
import type { PacketBody, PhysicalPacket, UpstreamPiece } from './packet-framer.js';
import {
  type ColumnDef,
  isEndOfRows,
  parseColumnDef,
  parseEof,
  parseOk,
  parsePrepareOk,
  readColumnCount,
} from './result-messages.js';
import { RowRecorder } from './row-recorder.js';
import type { DatabaseChange } from './statement-text.js';

/**
 * Commands the server owes answers to before Vigil stops reading the client. Each costs an entry
 * here until answered; the server answers each command as it finishes it, so the backlog drains
 * while the server works.
 */
export const MAX_UNANSWERED_COMMANDS = 10_000;

export interface TrackerDeps {
  readonly deprecateEof: boolean;
  readonly extendedMetadata: boolean;
  readonly recordRows: number;
  readonly allowLocalInfile: boolean;
  readonly toClient: (bytes: Buffer) => void;
  readonly record: (payload: JsonObject) => void;
  readonly onDatabase: (change: DatabaseChange) => void;
}

type Phase = 'first' | 'columns' | 'rows' | 'infile' | 'prepParams' | 'prepColumns' | 'fields';

export class ResponseTracker {
  readonly #deps: TrackerDeps;
  readonly #queue: Expectation[] = [];
  /**
   * PREPAREs, and commands that may ask for a local file, in the queue: counted as they enter and
   * leave, since they are asked about before every client packet, and a scan of a queue a
   * pipelining client filled was quadratic (100,000 pipelined pings stalled the gateway for minutes).
   */
  #queuedPrepares = 0;
  #queuedFileAskers = 0;
  #phase: Phase = 'first';
  #remaining = 0;
  #eofPending = false;
  #columns: ColumnDef[] = [];
  #rowCount = 0;
  #rows: JsonValue[][] = [];
  #statementIndex = 0;
  #prepare: { id: number; params: number; columns: number } | null = null;
  #infile: { file: string; bytes: number; hash: Hash } | null = null;
  /** A streamed packet's body is still to come (packet-framer.ts): nothing else may reach the client meanwhile. */
  #inBody = false;
  /** That body goes to the client; false: it is the answer to a statement of Vigil's own. */
  #forwardBody = false;
  /** The row being recorded, fed every payload byte of its packets; `continues` of its last packet so far. */
  #row: { recorder: RowRecorder; continues: boolean } | null = null;
  #infileDone: JsonObject | null = null;
  #settledWaiters: (() => void)[] = [];
  #fileWaiters: (() => void)[] = [];

  constructor(deps: TrackerDeps) {
    this.#deps = deps;
  }

  /**
   * Whether the client must wait for the server's answers before more of its packets are taken (the
   * relay's backlog). Never while the server reads a LOCAL INFILE's content from the client.
   */
  get backlogFull(): boolean {
    return this.#queue.length >= MAX_UNANSWERED_COMMANDS && !this.infileActive;
  }

  /** Whether the client is sending a LOCAL INFILE's content (packets that are not commands). */
  get infileActive(): boolean {
    return this.#infile !== null && this.#phase === 'infile';
  }

  get pendingPrepares(): number {
    return this.#queuedPrepares;
  }

  /** Resolves once no PREPARE waits for the server's answer. */
  preparesSettled(): Promise<void> {
    if (this.pendingPrepares === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /**
   * Whether a command forwarded earlier may still make the server ask for a local file: a packet
   * the client sends now is a command only once it no longer can (or file content once it has).
   */
  get fileRequestPossible(): boolean {
    return this.#phase !== 'infile' && this.#queuedFileAskers > 0;
  }

  /** Resolves at the next answer that ends or the next file request. */
  fileRequestSettled(): Promise<void> {
    return new Promise((resolve) => this.#fileWaiters.push(resolve));
  }

  expect(e: Expectation): void {
    this.#queue.push(e);
    this.#count(e, 1);
    if (this.#queue.length === 1) this.#flushRefusals();
  }

  /** A content packet of a LOCAL INFILE; the empty one ends it. */
  infileData(payload: Buffer): void {
    const infile = this.#infile!;
    infile.bytes += payload.length;
    infile.hash.update(payload);
    if (payload.length === 0) {
      const head = this.#queue[0];
      // The digest of a file that may fill a secret column is not recorded (local-infile.ts).
      const allowed = head?.kind === 'results' ? head.infileDigest : undefined;
      const digest: JsonObject =
        allowed === true
          ? { sha256: infile.hash.digest('hex') }
          : { sha256_withheld: allowed ?? 'the load was not judged for it' };
      this.#infileDone = { file: infile.file, bytes: infile.bytes, ...digest };
      this.#infile = null;
      this.#phase = 'first';
    }
  }

  /** Releases waiters when the connection closes. */
  abandon(): void {
    this.#queue.length = 0;
    this.#row = null;
    this.#inBody = false;
    this.#queuedPrepares = 0;
    this.#queuedFileAskers = 0;
    for (const w of this.#settledWaiters.splice(0)) w();
    for (const w of this.#fileWaiters.splice(0)) w();
  }

  /**
   * One packet from the server, or the rest of a streamed one; what the client gets (the server's
   * bytes, unchanged) goes to `toClient`. Of a streamed packet only its head is read here: enough
   * to tell a row from the packets that end an answer, which are small.
   */
  observe(piece: UpstreamPiece): void {
    if (piece.kind === 'body') {
      this.#body(piece);
      return;
    }
    const p = piece;
    this.#inBody = p.streamed;
    this.#forwardBody = false;
    const head = this.#queue[0];
    if (!head || head.kind === 'refusal')
      throw new VigilError('protocol_violation', 'the upstream sent a packet no command asked for');
    if (head.kind === 'own') {
      if (p.continuation || p.payload[0] !== 0x00)
        throw head.refusal ?? new VigilError('upstream_failed', `the upstream refused Vigil's ${head.what}`);
      this.#checkStatus(parseOk(p.payload).status);
      this.#done();
      return;
    }
    this.#deps.toClient(p.raw);
    this.#forwardBody = p.streamed;
    if (p.continuation) {
      // The rest of a split payload: never an answer's start, whatever its first byte.
      if (this.#row) this.#rowBytes(p.payload, p.continues, !p.streamed);
      return;
    }
    switch (head.kind) {
      case 'results':
        this.#results(head, p);
        return;
      case 'prepare':
        this.#prepareAnswer(head, p);
        return;
      case 'ok':
        if (p.payload[0] === 0x00 || p.payload[0] === 0xfe) {
          this.#checkStatus(p.payload[0] === 0x00 ? parseOk(p.payload).status : parseEof(p.payload).status);
          head.onOk?.();
        }
        this.#done();
        return;
      case 'single':
        this.#done();
        return;
      case 'fields':
        if (p.payload[0] === 0xff || isEndOfRows(p.payload, this.#deps.deprecateEof, p.length)) this.#done();
        return;
    }
  }

  #results(head: Extract<Expectation, { kind: 'results' }>, p: PhysicalPacket): void {
    const payload = p.payload;
    switch (this.#phase) {
      case 'first':
      case 'infile': {
        const first = payload[0];
        if (first === 0x00) {
          const ok = parseOk(payload);
          const use = head.uses?.get(this.#statementIndex);
          if (use !== undefined) this.#deps.onDatabase(use);
          head.onStatementOk?.get(this.#statementIndex)?.();
          this.#recordResult(head, {
            command_tag: 'OK',
            affected_rows: ok.affectedRows,
            warnings: ok.warnings,
            last_insert_id: ok.lastInsertId,
          });
          this.#afterResult(ok.status);
          return;
        }
        if (first === 0xff) {
          this.#recordError(head, p);
          this.#done();
          return;
        }
        if (first === 0xfb && !head.binary) {
          if (!this.#deps.allowLocalInfile)
            throw new VigilError(
              'protocol_violation',
              'the upstream asked for a local file, which this connection does not allow',
            );
          const file = p.streamed
            ? `<file name of ${p.length - 1} bytes not recorded>`
            : payload.subarray(1).toString('utf8');
          this.#infile = { file, bytes: 0, hash: createHash('sha256') };
          this.#phase = 'infile';
          for (const w of this.#fileWaiters.splice(0)) w();
          return;
        }
        this.#remaining = readColumnCount(payload);
        this.#columns = [];
        this.#phase = 'columns';
        this.#eofPending = !this.#deps.deprecateEof;
        return;
      }
      case 'columns':
        if (this.#remaining > 0) {
          this.#columns.push(parseColumnDef(payload, this.#deps.extendedMetadata));
          this.#remaining--;
          if (this.#remaining === 0 && !this.#eofPending) this.#phase = 'rows';
          return;
        }
        // The EOF after the definitions.
        this.#eofPending = false;
        this.#phase = 'rows';
        return;
      case 'rows': {
        if (payload[0] === 0xff) {
          this.#recordError(head, p);
          this.#done();
          return;
        }
        if (isEndOfRows(payload, this.#deps.deprecateEof, p.length)) {
          const end = this.#deps.deprecateEof ? parseOk(payload) : { ...parseEof(payload), affectedRows: 0 };
          this.#recordResult(head, {
            command_tag: `SELECT ${this.#rowCount}`,
            affected_rows: 0,
            warnings: end.warnings,
          });
          this.#afterResult(end.status);
          return;
        }
        this.#rowCount++;
        if (this.#rows.length < this.#deps.recordRows) {
          this.#row = { recorder: new RowRecorder(this.#columns, head.binary), continues: p.continues };
          this.#rowBytes(payload, p.continues, !p.streamed);
        }
        return;
      }
      default:
        throw new VigilError('internal', `unexpected phase ${this.#phase}`);
    }
  }

  /** More of a streamed packet: passed on, and read into the row being recorded. */
  #body(b: PacketBody): void {
    if (this.#forwardBody) this.#deps.toClient(b.bytes);
    if (this.#row) this.#rowBytes(b.bytes, this.#row.continues, b.end);
    if (b.end) {
      this.#inBody = false;
      this.#flushRefusals();
    }
  }

  /** Payload bytes of the recorded row; `packetEnds`: the last of their physical packet. */
  #rowBytes(bytes: Buffer, continues: boolean, packetEnds: boolean): void {
    const row = this.#row!;
    row.continues = continues;
    row.recorder.push(bytes);
    if (packetEnds && !continues) {
      this.#rows.push(row.recorder.finish());
      this.#row = null;
    }
  }

  #prepareAnswer(head: Extract<Expectation, { kind: 'prepare' }>, p: PhysicalPacket): void {
    const payload = p.payload;
    if (this.#prepare === null) {
      if (payload[0] === 0xff) {
        head.onErr();
        this.#done();
        return;
      }
      if (payload[0] !== 0x00) throw new VigilError('protocol_violation', 'unexpected answer to a PREPARE');
      const ok = parsePrepareOk(payload);
      this.#prepare = { id: ok.statementId, params: ok.params, columns: ok.columns };
      this.#phase = 'prepParams';
      this.#remaining = ok.params;
      this.#eofPending = ok.params > 0 && !this.#deps.deprecateEof;
    } else if (this.#remaining > 0) {
      this.#remaining--;
    } else if (this.#eofPending) {
      this.#eofPending = false;
    }
    // Definitions of the parameters, then of the columns, each followed by an EOF unless deprecated.
    for (;;) {
      if (this.#remaining > 0 || this.#eofPending) return;
      if (this.#phase === 'prepParams') {
        this.#phase = 'prepColumns';
        this.#remaining = this.#prepare.columns;
        this.#eofPending = this.#prepare.columns > 0 && !this.#deps.deprecateEof;
        continue;
      }
      const { id, params } = this.#prepare;
      this.#prepare = null;
      head.onOk(id, params);
      this.#done();
      return;
    }
  }

  #afterResult(status: number): void {
    this.#checkStatus(status);
    if (status & STATUS.MORE_RESULTS_EXISTS) {
      this.#statementIndex++;
      this.#phase = 'first';
      this.#rowCount = 0;
      this.#rows = [];
      this.#columns = [];
      return;
    }
    this.#done();
  }

  #checkStatus(status: number): void {
    if (status & STATUS.NO_BACKSLASH_ESCAPES)
      throw new VigilError(
        'setting_pinned',
        'the server reads backslashes literally now (NO_BACKSLASH_ESCAPES), so Vigil can no longer read statements as it does',
      );
  }

  #recordResult(head: Extract<Expectation, { kind: 'results' }>, fields: JsonObject): void {
    const columns = this.#columns.map((c) => c.name);
    this.#deps.record({
      sqlstate: null,
      error_message: null,
      statement_index: this.#statementIndex,
      row_count: this.#rowCount,
      duration_ms: Math.round((performance.now() - head.started) * 1000) / 1000,
      columns,
      rows: echoedRows(this.#rows, head.recordedMessage, columns),
      ...(this.#infileDone ? { local_infile: this.#infileDone } : {}),
      ...fields,
    });
    this.#infileDone = null;
  }

  #recordError(head: Extract<Expectation, { kind: 'results' }>, p: PhysicalPacket): void {
    const e = parseErr(p.payload);
    // Of an error too large to hold only its head was read: a prefix of the message is not recorded.
    const message = p.streamed ? `<error message of ${p.length} bytes not recorded>` : e.message;
    this.#recordResult(head, {
      command_tag: null,
      sqlstate: e.sqlstate ?? 'HY000',
      errno: e.errno,
      error_message: head.recordedMessage ? head.recordedMessage(message) : message,
    });
  }

  #done(): void {
    const finished = this.#queue.shift();
    if (finished) this.#count(finished, -1);
    if (finished?.kind === 'ok' || finished?.kind === 'results') finished.onAnswered?.();
    this.#phase = 'first';
    this.#statementIndex = 0;
    this.#rowCount = 0;
    this.#rows = [];
    this.#columns = [];
    this.#infile = null;
    if (finished?.kind === 'prepare' && this.pendingPrepares === 0) {
      for (const w of this.#settledWaiters.splice(0)) w();
    }
    for (const w of this.#fileWaiters.splice(0)) w();
    this.#flushRefusals();
  }

  #count(e: Expectation, delta: 1 | -1): void {
    if (e.kind === 'prepare') this.#queuedPrepares += delta;
    else if (e.kind === 'results' && e.mayAskFile === true) this.#queuedFileAskers += delta;
  }

  /** Vigil's refusals at the head of the queue owe the server nothing: they go out now. */
  #flushRefusals(): void {
    // An answer can end with a streamed packet (a huge OK or ERR): a refusal waits for its last byte.
    if (this.#inBody) return;
    while (this.#queue[0]?.kind === 'refusal') {
      const r = this.#queue.shift() as Extract<Expectation, { kind: 'refusal' }>;
      this.#deps.toClient(r.packet);
    }
  }
}
