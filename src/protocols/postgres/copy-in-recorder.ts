// Which COPY FROM STDIN the client's copy data belongs to, and which db.result records it
// (copy-in-record.ts decodes it). The follower (copy-in.ts) tells when an execution that may start
// a copy is forwarded and answered, and when the server starts one (with its CopyInResponse's body,
// which the tracker passes on); the proxy hands over each CopyData, CopyDone and CopyFail.
// - Each forwarded execution brings the shapes of its COPY FROM STDIN statements, in order: the
//   server starts their copies in that order, and a text Vigil could not read brings none (its
//   copy is recorded by size and digest).
// - Data the client sends before the server started the copy (a client that pipelines it) is kept,
//   split at the client's CopyDone/CopyFail, and given to the copies as they start; the server
//   reads it then too. At most EARLY_DATA_BYTES of it: a client sending more ahead of the server is
//   cut off (the server then fails the copy with the connection, and nothing of it lands).
// - After the server starts a copy, the next result it sends is that copy's (completed or failed):
//   the data recorded so far goes into that db.result.
// - The client's CopyDone for a copy the server started ends its record, which is what the copy's
//   db.copy_data commits before the CopyDone reaches the server (copy-in-commit.ts).
import type { DbCopyDataPayload, DbResultPayload } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import { echoedRows } from '../../mask/index.js';
import type { CopyInFollower, CopyInListener } from './copy-in.js';
import { type CopyInEnd, CopyInRecord, copyInShapes } from './copy-in-record.js';
import type { CopyOutShape } from './copy-out-shape.js';
import type { Execution } from './expectations.js';
import type { Frame } from './frame-reader.js';
import { ResponseTracker } from './response-tracker.js';
import type { StatementState } from './statement-state.js';

/** Copy data a client may send ahead of the server's CopyInResponse. */
export const EARLY_DATA_BYTES = 1024 * 1024;

/** A copy the client's CopyDone ended: what to commit, and what to do when that fails. */
export interface EndedCopy {
  readonly payload: DbCopyDataPayload;
  /**
   * Vigil sends the server CopyFail in place of the CopyDone: the record says so. True while the
   * server still reads the copy (its answer is the copy's failure); false when it answered first.
   */
  failedByVigil(reason: string): boolean;
}

interface Plan {
  /** Which forwarded execution it is (counted from 1). */
  readonly index: number;
  readonly shapes: (CopyOutShape | undefined)[];
  readonly echo: Execution['recordedMessage'];
}

type Echo = Execution['recordedMessage'];

interface EarlySegment {
  /** The execution forwarded last when it was sent: the one whose copy it is for. */
  readonly after: number;
  readonly chunks: Buffer[];
  ended: CopyInEnd | null;
}

export class CopyInRecorder implements CopyInListener {
  readonly #limit: number;
  readonly #plans: Plan[] = [];
  /** The text of the execution about to be forwarded; parsed only if it may start a copy. */
  #next: { text: string | null; echo: Echo } | null = null;
  /** The copy the client's data goes to now. */
  #open: CopyInRecord | null = null;
  /** The copy whose result the server has not sent yet. */
  #current: { record: CopyInRecord; echo: Plan['echo'] } | null = null;
  #early: EarlySegment[] = [];
  #earlyBytes = 0;
  #forwardedCount = 0;

  constructor(recordRows: number) {
    this.#limit = recordRows;
  }

  /**
   * Called as an execution is built, before it is forwarded: `text` is what it runs (null when
   * unknown), `echo` how its record masks the server's messages, which it returns (it is the
   * execution's own), so the call sits where the execution is built.
   */
  prepare<E extends Echo | null>(text: string | null, echo: E): E {
    this.#next = { text, echo: echo ?? undefined };
    return echo;
  }

  /** The tracker for the connection, with this recorder following its copies. */
  tracker(state: StatementState, onResult: (payload: DbResultPayload) => void): ResponseTracker {
    const tracker = new ResponseTracker(this.#limit, state, (payload) => onResult(this.withData(payload)));
    tracker.copyIn.listener = this;
    return tracker;
  }

  forwarded(): void {
    const next = this.#next;
    this.#next = null;
    const index = ++this.#forwardedCount;
    this.#plans.push({ index, shapes: next?.text ? copyInShapes(next.text) : [], echo: next?.echo });
  }

  answered(): void {
    const plan = this.#plans.shift();
    // Data for a copy the execution never started (it failed first) was ignored by the server.
    while (plan && this.#early[0] && this.#early[0].after <= plan.index) this.#dropEarly();
  }

  started(response: Buffer | undefined): void {
    const plan = this.#plans[0];
    // Without the server's CopyInResponse: text format, no columns.
    const record = new CopyInRecord(response ?? Buffer.from([0, 0, 0]), plan?.shapes.shift(), this.#limit);
    this.#current = { record, echo: plan?.echo };
    this.#open = record;
    const early = this.#early[0]?.after === plan?.index ? this.#early.shift() : undefined;
    if (!early) return;
    for (const chunk of early.chunks) {
      this.#earlyBytes -= chunk.length;
      record.data(chunk);
    }
    if (early.ended) this.#ended(early.ended);
  }

  reset(): void {
    this.#plans.length = 0;
    this.#early = [];
    this.#earlyBytes = 0;
    this.#open = null;
    this.#current = null;
  }

  /**
   * A CopyData, CopyDone or CopyFail from the client (false for any other message), recorded, then
   * passed to the follower. Copy data goes to the server whatever Vigil's state: outside a copy the
   * server ignores it. While the server may be about to start a copy, it is kept for it.
   */
  client(frame: Frame, follower: CopyInFollower): boolean {
    if (frame.code !== 'd' && frame.code !== 'c' && frame.code !== 'f') return false;
    this.#record(frame, follower.verdict === 'wait');
    if (frame.code !== 'd') follower.clientEnded();
    return true;
  }

  /**
   * The client's CopyDone, recorded and passed to the follower as `client` does. Returns the copy it
   * ends, when the server started it and has not answered: null otherwise (no copy, or one the
   * server already failed, ignores the CopyDone).
   */
  copyDone(frame: Frame, follower: CopyInFollower): EndedCopy | null {
    const current = this.#open && this.#current?.record === this.#open ? this.#current : null;
    this.client(frame, follower);
    if (!current) return null;
    return {
      payload: this.#recorded(current),
      failedByVigil: (reason) => {
        current.record.failedByVigil(reason);
        return this.#current === current;
      },
    };
  }

  #record(frame: Frame, waiting: boolean): void {
    if (this.#open) {
      if (frame.code === 'd') this.#open.data(frame.body);
      else this.#ended(frame.code === 'c' ? 'CopyDone' : 'CopyFail');
      return;
    }
    if (!waiting) return;
    let segment = this.#early.at(-1);
    if (!segment || segment.ended) {
      segment = { after: this.#forwardedCount, chunks: [], ended: null };
      this.#early.push(segment);
    }
    if (frame.code !== 'd') {
      segment.ended = frame.code === 'c' ? 'CopyDone' : 'CopyFail';
      return;
    }
    this.#earlyBytes += frame.body.length;
    if (this.#earlyBytes > EARLY_DATA_BYTES)
      throw new VigilError(
        'protocol_violation',
        `more than ${EARLY_DATA_BYTES} bytes of copy data before the server started a copy`,
      );
    segment.chunks.push(frame.body);
  }

  /** A result from the tracker: the current copy's data goes into the first one after it started. */
  withData(payload: DbResultPayload): DbResultPayload {
    const current = this.#current;
    if (!current) return payload;
    this.#current = null;
    // Data the client sends after the server answered is not read by the server as the copy's.
    if (this.#open === current.record) this.#open = null;
    return { ...payload, ...this.#recorded(current) };
  }

  #recorded({ record, echo }: { record: CopyInRecord; echo: Echo }): DbCopyDataPayload {
    const columns = record.columns;
    const rows = this.#limit > 0 ? echoedRows(record.rows, echo, columns) : [];
    return { columns, rows, copy: record.summary() };
  }

  #dropEarly(): void {
    for (const chunk of this.#early.shift()?.chunks ?? []) this.#earlyBytes -= chunk.length;
  }

  #ended(how: CopyInEnd): void {
    this.#open?.end(how);
    this.#open = null;
  }
}
