// The server's side of a running connection: its messages are read as they arrive, followed by the
// ResponseTracker (which records results and puts Vigil's refusals in place of the server's errors)
// and passed on to the client in one write per chunk read. A report of a setting Vigil keeps
// (read-only-settings.ts) ends the session after what came before it; a message Vigil cannot
// read closes the connection.
import { toVigilError } from '../../core/errors.js';
import type { Relay } from '../../relay/index.js';
import { parseParameterStatus } from './backend-messages.js';
import type { FrameReader } from './frame-reader.js';
import { checkServerReport } from './read-only-settings.js';
import type { ResponseTracker } from './response-tracker.js';

/** Backend messages can be as large as PostgreSQL allows (1 GB); the client side has the configured cap. */
const UPSTREAM_MAX_MESSAGE = 0x4000_0000 + 5;

export class UpstreamFollower {
  readonly #reader: FrameReader;
  readonly #tracker: ResponseTracker;
  readonly #relay: Relay;
  readonly #readOnly: boolean;
  readonly #logger: { warn(obj: object, msg: string): void };

  constructor(
    reader: FrameReader,
    tracker: ResponseTracker,
    relay: Relay,
    options: { readonly readOnly: boolean; readonly logger: { warn(obj: object, msg: string): void } },
  ) {
    this.#reader = reader;
    this.#reader.maxBytes = UPSTREAM_MAX_MESSAGE;
    this.#tracker = tracker;
    this.#relay = relay;
    this.#readOnly = options.readOnly;
    this.#logger = options.logger;
  }

  /** Bytes of a message the server has begun and not finished. */
  get buffered(): number {
    return this.#reader.buffered;
  }

  push(chunk: Buffer): void {
    if (this.#relay.closed) return;
    this.#reader.push(chunk);
    const out: Buffer[] = [];
    try {
      for (;;) {
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
    if (out.length > 0) this.#relay.toClient(out.length === 1 ? out[0]! : Buffer.concat(out));
  }
}
