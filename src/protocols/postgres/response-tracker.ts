// Follows the server's answers to the messages forwarded to it, in order, the way a driver does:
// each forwarded message expects its reply (ParseComplete, BindComplete, rows and a command tag,
// ReadyForQuery ...). When a statement's result completes it is handed to `onResult` as a
// db.result payload. After an error in the extended protocol the server skips everything up to
// Sync; the tracker skips the same expectations, reporting skipped executions as not run.
import type { JsonObject, JsonValue } from '../../core/events.js';
import {
  type ColumnDescription,
  parseCommandTag,
  parseDataRow,
  parseErrorFields,
  parseRowDescription,
  rowCountFromTag,
} from './backend-messages.js';
import type { Frame } from './frame-reader.js';

export interface Execution {
  readonly started: number;
  /** For the extended protocol: where the column descriptions come from when Describe preceded Execute. */
  readonly portal?: string;
  readonly statement?: string;
  readonly resultFormats?: readonly number[];
}

export type Expectation =
  | { readonly kind: 'parse' | 'bind' | 'close' | 'sync' }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'query' | 'execute'; readonly exec: Execution };

interface Progress {
  columns: ColumnDescription[] | null;
  rowCount: number;
  rows: JsonValue[][];
  statementIndex: number;
  started: number;
}

export class ResponseTracker {
  readonly #expected: Expectation[] = [];
  readonly #recordRows: number;
  readonly #onResult: (payload: JsonObject) => void;
  readonly #described = new Map<string, ColumnDescription[] | null>();
  #progress: Progress | null = null;
  /** SQLSTATE of the error that made the server skip to Sync. */
  #lastError: string | null = null;
  /** Transaction status from the last ReadyForQuery: I idle, T in a block, E failed block. */
  status = 'I';

  constructor(recordRows: number, onResult: (payload: JsonObject) => void) {
    this.#recordRows = recordRows;
    this.#onResult = onResult;
  }

  expect(e: Expectation): void {
    this.#expected.push(e);
  }

  get pending(): number {
    return this.#expected.length;
  }

  /** Forget what Close removed, so a reused name does not inherit stale columns. */
  forget(target: 'S' | 'P', name: string): void {
    this.#described.delete(`${target}\u0000${name}`);
  }

  observe(frame: Frame): void {
    const head = this.#expected[0];
    switch (frame.code) {
      case '1':
      case '2':
      case '3':
        if (head && (head.kind === 'parse' || head.kind === 'bind' || head.kind === 'close'))
          this.#expected.shift();
        return;
      case 'T':
      case 'n': {
        const columns = frame.code === 'T' ? parseRowDescription(frame.body) : null;
        if (head?.kind === 'describe') {
          this.#described.set(`${head.target}\u0000${head.name}`, columns);
          this.#expected.shift();
        } else if (head && (head.kind === 'query' || head.kind === 'execute')) {
          this.#current(head.exec).columns = columns;
        }
        return;
      }
      case 'D':
        if (head && (head.kind === 'query' || head.kind === 'execute')) this.#row(head.exec, frame.body);
        return;
      case 'C':
      case 'I':
      case 's':
        if (head && (head.kind === 'query' || head.kind === 'execute')) {
          const tag =
            frame.code === 'C' ? parseCommandTag(frame.body) : frame.code === 'I' ? 'EMPTY' : 'SUSPENDED';
          this.#finish(
            head.exec,
            { command_tag: tag, sqlstate: null, error_message: null },
            head.kind === 'query',
          );
          if (head.kind === 'execute') this.#expected.shift();
        }
        return;
      case 'E':
        this.#error(head, frame.body);
        return;
      case 'Z':
        this.status = frame.body.toString('latin1', 0, 1);
        // A simple query ends here; so does a sync. Anything before a sync that never got its
        // reply was skipped by the server after an error.
        while (this.#expected.length > 0) {
          const e = this.#expected.shift()!;
          if (e.kind === 'sync' || e.kind === 'query') break;
          // Forwarded after the server had already failed the batch (its error came first).
          if (e.kind === 'execute') this.#skipped(e.exec, this.#lastError ?? 'XX000');
        }
        this.#progress = null;
        this.#lastError = null;
        return;
      default:
        return;
    }
  }

  #error(head: Expectation | undefined, body: Buffer): void {
    const e = parseErrorFields(body);
    this.#lastError = e.code;
    if (!head) return;
    if (head.kind === 'query') {
      this.#finish(head.exec, { command_tag: null, sqlstate: e.code, error_message: e.message });
      return;
    }
    if (head.kind === 'execute') {
      this.#finish(head.exec, { command_tag: null, sqlstate: e.code, error_message: e.message });
      this.#expected.shift();
    }
    // The server now discards messages until Sync: executions among them never ran.
    while (this.#expected.length > 0 && this.#expected[0]!.kind !== 'sync') {
      const skipped = this.#expected.shift()!;
      if (skipped.kind === 'execute') this.#skipped(skipped.exec, e.code);
    }
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
      };
    }
    return this.#progress;
  }

  #row(exec: Execution, body: Buffer): void {
    const p = this.#current(exec);
    p.rowCount++;
    if (p.rows.length >= this.#recordRows) return;
    const formats = exec.resultFormats ?? [];
    p.rows.push(
      parseDataRow(body).map((v, i) => {
        if (v === null) return null;
        const binary = (formats.length === 1 ? formats[0] : formats[i]) === 1 || p.columns?.[i]?.format === 1;
        return binary ? `\\x${v.toString('hex')}` : v.toString('utf8');
      }),
    );
  }

  #finish(
    exec: Execution,
    outcome: { command_tag: string | null; sqlstate: string | null; error_message: string | null },
    moreFollow = false,
  ): void {
    const p = this.#current(exec);
    const tagCount = outcome.command_tag ? rowCountFromTag(outcome.command_tag) : null;
    this.#onResult({
      ...outcome,
      statement_index: p.statementIndex,
      row_count: tagCount ?? p.rowCount,
      duration_ms: Math.round((performance.now() - p.started) * 1000) / 1000,
      columns: p.columns ? p.columns.map((c) => c.name) : [],
      rows: this.#recordRows > 0 ? p.rows : [],
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
        };
  }
}
