// Follows the server's answers to the messages forwarded to it, in order, the way the server
// itself processes them: each forwarded message expects its reply (ParseComplete, BindComplete,
// rows and a command tag, ReadyForQuery ...). Replies that change the server's statements and
// portals are applied to the StatementState only when they arrive, so Vigil knows exactly what
// the server confirmed. After an error in the extended protocol the server skips everything up to
// Sync; the tracker skips the same expectations, reporting skipped executions as not run.
// Completed statements are handed to `onResult` as db.result payloads, with the notices,
// notifications and setting reports the client was shown (server-messages.ts).
import type { DbResultPayload } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { echoedRows } from '../../mask/index.js';
import {
  type ColumnDescription,
  parseCommandTag,
  parseDataRow,
  parseErrorFields,
  parseRowDescription,
  rowCountFromTag,
} from './backend-messages.js';
import { unrecordedMessage } from './clipped-error.js';
import { CopyInFollower } from './copy-in.js';
import { CopyOutRecord } from './copy-out.js';
import type { Execution, Expectation } from './expectations.js';
import type { Frame } from './frame-reader.js';
import { RECORDED_VALUE_BYTES, recordedValue } from './recorded-value.js';
import { type RecordedServerMessages, ServerMessages } from './server-messages.js';
import { SettingReports } from './setting-reports.js';
import type { StatementState } from './statement-state.js';
import { StreamedDataRow } from './streamed-row.js';

/**
 * Forwarded messages the server may owe answers to before Vigil stops reading the client (the
 * relay's backlog). Each costs an entry here until answered; a client pipelining Syncs without
 * reading its answers held about 3 million of them (380 MB) in what socket buffers let through.
 * The server holds back at most 8 KiB of answers of at least 5 bytes (it flushes when its buffer
 * fills, and at once on an error), so a backlog this large always drains while the server works.
 */
export const MAX_UNANSWERED_MESSAGES = 10_000;

interface Progress {
  columns: ColumnDescription[] | null;
  rowCount: number;
  rows: JsonValue[][];
  statementIndex: number;
  started: number;
  /** What the server sent while the statement ran, besides its rows. */
  messages: ServerMessages;
  copy?: CopyOutRecord; // a COPY TO STDOUT: its lines are its rows (copy-out.ts)
}

const STATE_CHANGES = new Set(['parse', 'bind', 'close']);
const EXTENDED = new Set(['parse', 'bind', 'close', 'describe', 'execute']);

export class ResponseTracker {
  readonly #expected: Expectation[] = [];
  readonly #recordRows: number;
  readonly #onResult: (payload: DbResultPayload) => void;
  readonly #state: StatementState;
  readonly #described = new Map<string, ColumnDescription[] | null>();
  #progress: Progress | null = null;
  /** What the server sent while no statement ran: recorded with the next result, or at the end. */
  readonly #between = new ServerMessages();
  /** SQLSTATE of the error that made the server skip to Sync. */
  #lastError: string | null = null;
  /** The SQLSTATE of the last error in the batch that failed (what skipped messages report). */
  get lastError(): string | null {
    return this.#lastError;
  }
  /** Expectations of Parse, Bind and Close still waiting for the server. */
  #stateChanges = 0;
  #settledWaiters: (() => void)[] = [];
  /** Waiting for the server to answer everything forwarded (answered()). */
  #answeredWaiters: (() => void)[] = [];
  /** The batch in which the server reported an extended-protocol error (it skips to that batch's Sync). */
  failedBatch = -1;
  /** Transaction status from the last ReadyForQuery: I idle, T in a block, E failed block. */
  status = 'I';
  /** Forwarded executions whose setting changes the server has not reported yet. */
  readonly settings = new SettingReports();
  /** Whether the server is, or may be about to be, reading a COPY's data (copy-in.ts). */
  readonly copyIn = new CopyInFollower();

  constructor(recordRows: number, state: StatementState, onResult: (payload: DbResultPayload) => void) {
    this.#recordRows = recordRows;
    this.#state = state;
    this.#onResult = onResult;
  }

  /**
   * Registers the reply a forwarded message waits for. A message of a batch the server already
   * failed will be skipped without a reply: it is not registered (an execution is reported as not
   * run), so no later reply is ever matched to it. Returns whether the server will process it.
   */
  expect(e: Expectation): boolean {
    if (e.kind !== 'sync' && e.batch === this.failedBatch) {
      if (e.kind === 'execute' || e.kind === 'query') this.#skipped(e.exec, this.#lastError ?? 'XX000');
      return false;
    }
    this.#expected.push(e);
    if (STATE_CHANGES.has(e.kind)) this.#stateChanges++;
    if ((e.kind === 'execute' || e.kind === 'query') && e.exec.mayCopyIn) this.copyIn.forwarded();
    if (e.kind === 'execute') this.settings.executed();
    else if (e.kind === 'sync' || e.kind === 'query') this.settings.readyRequested(e.kind === 'query');
    else if (e.kind === 'refusal' && e.simple) this.settings.readyRequested(false);
    return true;
  }

  get pending(): number {
    return this.#expected.length;
  }

  /** Whether the client must wait for the server's answers before more of its messages are taken. */
  get backlogFull(): boolean {
    return this.#expected.length >= MAX_UNANSWERED_MESSAGES;
  }

  /** Parse, Bind or Close messages forwarded whose outcome the server has not reported yet. */
  get unconfirmedStateChanges(): number {
    return this.#stateChanges;
  }

  /** Forwarded Parse, Bind and Close messages still waiting for the server, in order. */
  pendingStateChanges(): Expectation[] {
    return this.#stateChanges === 0 ? [] : this.#expected.filter((e) => STATE_CHANGES.has(e.kind));
  }

  /** Resolves once the server has answered every message forwarded so far (session-probe.ts). */
  answered(): Promise<void> {
    if (this.#expected.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#answeredWaiters.push(resolve));
  }

  /** Resolves once every forwarded Parse, Bind and Close has been confirmed, refused or skipped. */
  stateSettled(): Promise<void> {
    if (this.#stateChanges === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Releases waiters when the connection ends. */
  abandon(): void {
    this.#stateChanges = 0;
    this.#release();
    this.#releaseAnswered();
    this.settings.abandon();
    this.copyIn.abandon();
  }

  /**
   * Follows one server message. Returns what the client receives in its place: the message
   * itself, or Vigil's refusal where the server rejected the message Vigil sent to refuse one.
   */
  observe(frame: Frame): Buffer {
    const head = this.#expected[0];
    switch (frame.code) {
      case '1':
        if (head?.kind === 'parse') {
          this.#state.parsed(head.name, head.text);
          this.#shift();
        }
        return frame.raw;
      case '2':
        if (head?.kind === 'bind') {
          this.#state.bound(head.bind);
          this.#described.delete(`P\u0000${head.bind.portal}`);
          this.#shift();
        }
        return frame.raw;
      case '3':
        if (head?.kind === 'close') {
          this.#state.closed(head.target, head.name);
          this.#described.delete(`${head.target}\u0000${head.name}`);
          this.#shift();
        }
        return frame.raw;
      case 'T':
      case 'n': {
        const columns = frame.code === 'T' ? parseRowDescription(frame.body) : null;
        if (head?.kind === 'describe') {
          this.#described.set(`${head.target}\u0000${head.name}`, columns);
          this.#shift();
        } else if (head && (head.kind === 'query' || head.kind === 'execute')) {
          this.#current(head.exec).columns = columns;
        }
        return frame.raw;
      }
      case 'G':
        // CopyInResponse: the server now reads the client's copy data, and ignores a Sync.
        if (!this.copyIn.started(frame.body))
          throw new VigilError(
            'protocol_violation',
            'the server started a COPY FROM STDIN Vigil did not expect',
          );
        return frame.raw;
      case 'H': // CopyOutResponse, then the CopyData lines the client receives: recorded as rows.
      case 'd':
        this.copyOut(frame);
        return frame.raw;
      case 't':
        // ParameterDescription comes first in the answer to Describe(S); NoData or RowDescription ends it.
        return frame.raw;
      case 'D':
        if (head && (head.kind === 'query' || head.kind === 'execute')) this.#row(head.exec, frame.body);
        return frame.raw;
      case 'N':
        this.#messagesNow(head).notice(frame.body, this.#running(head)?.recordedMessage);
        return frame.raw;
      case 'A':
        this.#messagesNow(head).notification(frame.body);
        return frame.raw;
      case 'S':
        this.#messagesNow(head).report(frame.body);
        return frame.raw;
      case 'C':
      case 'I':
      case 's':
        if (head && (head.kind === 'query' || head.kind === 'execute')) {
          const tag =
            frame.code === 'C' ? parseCommandTag(frame.body) : frame.code === 'I' ? 'EMPTY' : 'SUSPENDED';
          this.#state.commandCompleted(tag, head.exec.sql);
          this.#finish(
            head.exec,
            { command_tag: tag, sqlstate: null, error_message: null },
            head.kind === 'query',
          );
          if (head.kind === 'execute') this.#shift();
        }
        return frame.raw;
      case 'E':
        return this.copyIn.errorShown(this.#error(head, frame));
      case 'Z':
        this.status = frame.body.toString('latin1', 0, 1);
        this.#state.ready(this.status);
        this.settings.ready();
        // A simple query ends here; so does a sync. Anything before a sync that never got its
        // reply was skipped by the server after an error.
        while (this.#expected.length > 0) {
          const e = this.#shift()!;
          if (e.kind === 'sync' || e.kind === 'query' || (e.kind === 'refusal' && e.simple)) break;
          if (e.kind === 'execute') this.#skipped(e.exec, this.#lastError ?? 'XX000');
        }
        // What came after a simple query's last result (a setting report, a notification at
        // commit) was kept for a statement that does not follow: it goes with the next result.
        this.#between.absorb(this.#progress?.messages.take() ?? null);
        this.#progress = null;
        this.#lastError = null;
        return frame.raw;
      default:
        return frame.raw;
    }
  }

  /** A notice too large to hold, passed on as it arrives (upstream-follower.ts). */
  streamedNotice(bytes: number): void {
    this.#messagesNow(this.#expected[0]).streamed(bytes);
  }

  /** What the server sent after the last result was recorded, taken for the session's end. */
  takeUnrecordedMessages(): RecordedServerMessages | null {
    return this.#between.take();
  }

  /** The execution the server is answering, if any. */
  #running(head: Expectation | undefined): Execution | undefined {
    return head && (head.kind === 'query' || head.kind === 'execute') ? head.exec : undefined;
  }

  #messagesNow(head: Expectation | undefined): ServerMessages {
    const exec = this.#running(head);
    return exec ? this.#current(exec).messages : this.#between;
  }

  #error(head: Expectation | undefined, frame: Frame): Buffer {
    const e = parseErrorFields(frame.body);
    this.#lastError = e.code;
    if (!head) return frame.raw;
    if (head.kind === 'query') {
      // A failed statement aborts the transaction it ran in.
      this.#state.failed();
      this.#finish(head.exec, {
        command_tag: null,
        sqlstate: e.code,
        error_message: recorded(head.exec, e.message),
      });
      return frame.raw;
    }
    if (head.kind === 'refusal' && head.simple) {
      this.#state.failed();
      return head.error;
    }
    if (!EXTENDED.has(head.kind) && head.kind !== 'refusal') {
      // An error at Sync (a deferred constraint at commit) still aborts the transaction.
      this.#state.failed();
      return frame.raw;
    }
    this.#state.failed();
    this.failedBatch = head.batch;
    if (head.kind === 'parse') this.#state.parseFailed(head.name);
    if (head.kind === 'execute') {
      this.#finish(head.exec, {
        command_tag: null,
        sqlstate: e.code,
        error_message: recorded(head.exec, e.message),
      });
    }
    this.#shift();
    // The server now discards messages until Sync: executions among them never ran.
    while (this.#expected.length > 0 && this.#expected[0]!.kind !== 'sync') {
      const skipped = this.#shift()!;
      if (skipped.kind === 'execute' || skipped.kind === 'query') this.#skipped(skipped.exec, e.code);
    }
    return head.kind === 'refusal' ? head.error : frame.raw;
  }

  #shift(): Expectation | undefined {
    const e = this.#expected.shift();
    if (e && STATE_CHANGES.has(e.kind)) {
      this.#stateChanges--;
      if (this.#stateChanges === 0) this.#release();
    }
    if (e && (e.kind === 'execute' || e.kind === 'query') && e.exec.mayCopyIn) this.copyIn.answered();
    if (this.#expected.length === 0) this.#releaseAnswered();
    return e;
  }

  #releaseAnswered(): void {
    const waiters = this.#answeredWaiters;
    this.#answeredWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #release(): void {
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #skipped(exec: Execution, sqlstate: string): void {
    this.#finish(exec, {
      command_tag: null,
      sqlstate,
      error_message: 'not executed: an earlier message of the same pipeline failed',
    });
  }

  #current(exec: Execution): Progress {
    if (!this.#progress) {
      const described =
        exec.portal !== undefined
          ? (this.#described.get(`P\u0000${exec.portal}`) ??
            (exec.statement !== undefined ? this.#described.get(`S\u0000${exec.statement}`) : undefined))
          : undefined;
      this.#progress = {
        columns: described ?? null,
        rowCount: 0,
        rows: [],
        statementIndex: 0,
        started: exec.started,
        messages: new ServerMessages(),
      };
    }
    return this.#progress;
  }

  /**
   * A DataRow too large to hold begins, to be passed on to the client as it arrives
   * (upstream-follower.ts): it counts, and while rows are recorded its values are read from its
   * body as it passes (streamed-row.ts). Returns what the body's bytes are handed to, in order, or
   * null when the row is not recorded; its `end` records the row once the last byte has passed,
   * and throws `protocol_violation`, as a malformed held row does, if the row does not add up.
   */
  streamedRow(bodyBytes: number): { push(bytes: Buffer): void; end(): void } | null {
    const head = this.#expected[0];
    if (!head || (head.kind !== 'query' && head.kind !== 'execute')) return null;
    const p = this.#current(head.exec);
    p.rowCount++;
    if (p.rows.length >= this.#recordRows) return null;
    const row = new StreamedDataRow(bodyBytes, (i) => binaryColumn(head.exec, p, i));
    // Nothing else is read from the server until the row has passed: it is this statement's next row.
    return { push: (bytes) => row.push(bytes), end: () => p.rows.push(row.finish()) };
  }

  /** A COPY TO STDOUT's messages; a number: the size of a CopyData too large to hold (passed on). */
  copyOut(frame: Frame | number): void {
    const exec = this.#running(this.#expected[0]);
    const p = exec && this.#current(exec);
    if (typeof frame === 'number') p?.copy?.streamed(frame);
    else if (frame.code === 'd') p?.copy?.data(frame.body);
    else if (p) p.copy = new CopyOutRecord(frame.body, exec.copyOut?.get(p.statementIndex), this.#recordRows);
  }

  #row(exec: Execution, body: Buffer): void {
    const p = this.#current(exec);
    p.rowCount++;
    if (p.rows.length >= this.#recordRows) return;
    p.rows.push(
      parseDataRow(body).map((v, i) => (v === null ? null : recordedValue(v, binaryColumn(exec, p, i)))),
    );
  }

  #finish(
    exec: Execution,
    outcome: { command_tag: string | null; sqlstate: string | null; error_message: string | null },
    moreFollow = false,
  ): void {
    const p = this.#current(exec);
    const tagCount = outcome.command_tag ? rowCountFromTag(outcome.command_tag) : null;
    const columns = p.copy ? p.copy.columns : p.columns ? p.columns.map((c) => c.name) : [];
    const before = this.#between.take();
    const during = p.messages.take();
    this.#onResult({
      ...outcome,
      statement_index: p.statementIndex,
      row_count: tagCount ?? p.rowCount,
      duration_ms: Math.round((performance.now() - p.started) * 1000) / 1000,
      columns,
      rows: this.#recordRows > 0 ? echoedRows(p.copy?.rows ?? p.rows, exec.recordedMessage, columns) : [],
      ...(p.copy ? { copy: p.copy.summary() } : {}),
      // Only when there were any, so a result without them is recorded as it always was.
      ...(before ? { server_messages_before: before } : {}),
      ...(during ? { server_messages: during } : {}),
    });
    // The next statement of a multi-statement simple query starts now.
    this.#progress = !moreFollow
      ? null
      : {
          columns: null,
          rowCount: 0,
          rows: [],
          statementIndex: p.statementIndex + 1,
          started: performance.now(),
          messages: new ServerMessages(),
        };
  }
}

/** Whether result column `i` comes in binary format: as the Bind asked, or as described. */
function binaryColumn(exec: Execution, p: Progress, i: number): boolean {
  const formats = exec.resultFormats ?? [];
  return (formats.length === 1 ? formats[0] : formats[i]) === 1 || p.columns?.[i]?.format === 1;
}

/** What of a server's error message about `exec` goes into its db.result. */
function recorded(exec: Execution, message: string): string {
  // A server error can quote a value whole: one over the bound is not put into the ledger.
  const kept =
    message.length > RECORDED_VALUE_BYTES ? unrecordedMessage(Buffer.byteLength(message)) : message;
  return exec.recordedMessage ? exec.recordedMessage(kept) : kept;
}
