// The server's side of a running connection: its messages are read as they arrive, followed by the
// ResponseTracker (which records results and puts Vigil's refusals in place of the server's errors)
// and passed on to the client in one write per chunk read. A report of a setting Vigil keeps
// (read-only-settings.ts) ends the session after what came before it; a message Vigil cannot
// read closes the connection.
import { toVigilError } from '../../core/errors.js';
import type { Relay } from '../../relay/index.js';
import { parseParameterStatus } from './backend-messages.js';
import { clippedErrorBody, ERROR_HEAD_BYTES } from './clipped-error.js';
import type { FrameReader } from './frame-reader.js';
import { checkServerReport } from './read-only-settings.js';
import type { ResponseTracker } from './response-tracker.js';
import type { SessionProbe } from './session-probe.js';

/** Backend messages can be as large as PostgreSQL allows (1 GB); the client side has the configured cap. */
const UPSTREAM_MAX_MESSAGE = 0x4000_0000 + 5;

/**
 * A row, a COPY TO STDOUT row or a notice larger than this is passed on to the client as its bytes
 * arrive instead of being held whole: `SELECT repeat('x', 500000000)` would otherwise cost Vigil
 * 500 MB per connection, and the client's flow control could not hold the server back (nothing
 * is written to the client until the message is complete). The tracker counts such a row and
 * records its values from its bytes as they pass (streamed-row.ts). A streamed COPY row is
 * recorded as a held one is, not at all; a streamed notice by its size (server-messages.ts). Of
 * an ErrorResponse this large, which Vigil must read (its SQLSTATE) and may replace with its own,
 * only the head is read (clipped-error.ts); the rest is passed on as it arrives, or dropped with
 * the server's error.
 */
export const STREAM_ABOVE_BYTES = 1024 * 1024;
const STREAMED_CODES = new Set(['D', 'd', 'N']);

export class UpstreamFollower {
  readonly #reader: FrameReader;
  readonly #tracker: ResponseTracker;
  readonly #relay: Relay;
  readonly #readOnly: boolean;
  readonly #logger: { warn(obj: object, msg: string): void };
  /** Bytes of a streamed message still to pass on as they arrive. */
  #passThrough = 0;
  /** What records the streamed row being passed on, if it is recorded. */
  #row: { push(bytes: Buffer): void; end(): void } | null = null;
  /** Bytes of a large server error Vigil replaced, still to drop as they arrive. */
  #discard = 0;

  constructor(
    reader: FrameReader,
    tracker: ResponseTracker,
    relay: Relay,
    options: { readonly readOnly: boolean; readonly logger: { warn(obj: object, msg: string): void } },
    probe?: SessionProbe,
  ) {
    this.#probe = probe ?? null;
    this.#reader = reader;
    this.#reader.maxBytes = UPSTREAM_MAX_MESSAGE;
    this.#tracker = tracker;
    this.#relay = relay;
    this.#readOnly = options.readOnly;
    this.#logger = options.logger;
  }

  readonly #probe: SessionProbe | null;

  /** Bytes of a message the server has begun and not finished. */
  get buffered(): number {
    return this.#reader.buffered + this.#passThrough + this.#discard;
  }

  push(chunk: Buffer): void {
    if (this.#relay.closed) return;
    this.#reader.push(chunk);
    const out: Buffer[] = [];
    try {
      for (;;) {
        if (this.#passThrough > 0) {
          const part = this.#reader.takeUpTo(this.#passThrough);
          if (!part) break;
          this.#passThrough -= part.length;
          // Read before it is passed on: a row that does not add up stops here, as a held one does.
          if (this.#row) {
            this.#row.push(part);
            if (this.#passThrough === 0) this.#endRow();
          }
          out.push(part);
          continue;
        }
        if (this.#discard > 0) {
          const part = this.#reader.takeUpTo(this.#discard);
          if (!part) break;
          this.#discard -= part.length;
          continue;
        }
        const header = this.#reader.peekHeader();
        // Vigil's own question about the session (session-probe.ts): its answer is not the client's.
        if (header && this.#probe?.answers(header.code)) {
          const frame = this.#reader.next();
          if (!frame) break;
          this.#probe.take(frame);
          continue;
        }
        if (
          header?.code === 'E' &&
          header.total > STREAM_ABOVE_BYTES &&
          header.total <= UPSTREAM_MAX_MESSAGE
        ) {
          if (this.#reader.buffered < ERROR_HEAD_BYTES) break;
          const head = this.#take(ERROR_HEAD_BYTES);
          const answer = this.#tracker.observe({
            code: 'E',
            body: clippedErrorBody(head, header.total),
            raw: head,
          });
          out.push(answer);
          // The server's error goes on as it arrives; one Vigil replaced is dropped.
          if (answer === head) this.#passThrough = header.total - head.length;
          else this.#discard = header.total - head.length;
          continue;
        }
        if (
          header &&
          STREAMED_CODES.has(header.code) &&
          header.total > STREAM_ABOVE_BYTES &&
          header.total <= UPSTREAM_MAX_MESSAGE
        ) {
          if (header.code === 'D') {
            this.#row = this.#tracker.streamedRow(header.total - 5);
            // The header is passed on now, so what follows is the body the row recorder reads.
            if (this.#row) out.push(this.#take(5));
          } else if (header.code === 'N') this.#tracker.streamedNotice(header.total);
          else if (header.code === 'd') this.#tracker.copyOut(header.total - 5);
          this.#passThrough = header.total - (this.#row ? 5 : 0);
          continue;
        }
        const frame = this.#reader.next();
        if (!frame) break;
        if (frame.code === 'S') {
          const [name, value] = parseParameterStatus(frame.body);
          const drift = checkServerReport(name, value, this.#readOnly);
          if (drift) {
            // Something Vigil could not see (a function, a role default) changed how text is read,
            // or lifted a read-only connection's read-only default.
            if (out.length > 0) this.#relay.toClient(Buffer.concat(out));
            this.#relay.fail(drift);
            return;
          }
        }
        out.push(this.#tracker.observe(frame));
      }
    } catch (err) {
      this.#logger.warn({ err: toVigilError(err).message }, 'unreadable message from the upstream');
      this.#relay.close('closed');
      return;
    }
    if (out.length > 0) this.#relay.toClient(joined(out));
  }

  #endRow(): void {
    const row = this.#row!;
    this.#row = null;
    row.end();
  }

  /** Exactly `n` received bytes (there must be that many). */
  #take(n: number): Buffer {
    const parts: Buffer[] = [];
    for (let left = n; left > 0; ) {
      const part = this.#reader.takeUpTo(left)!;
      parts.push(part);
      left -= part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

/**
 * The parts as one buffer. Messages passed on unchanged are views into the chunk they were read
 * from, side by side: then the view over all of them is the same bytes, without a copy (a
 * server's usual answer, RowDescription to ReadyForQuery, arrives in one chunk).
 */
export function joined(parts: readonly Buffer[]): Buffer {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.buffer !== first.buffer || part.byteOffset !== end) return Buffer.concat(parts);
    end += part.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
