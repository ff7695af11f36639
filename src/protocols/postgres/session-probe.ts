// What the server will run a held statement against, asked of the server itself: the session's
// search_path and the schemas it resolves to, the role in effect (SET ROLE, SET SESSION
// AUTHORIZATION) and the database. An unqualified `DELETE FROM accounts` reaches whichever
// `accounts` the search_path finds first; the server does not report search_path or the role to
// clients, an earlier statement (or a function, a role's default) may have changed them, and a
// reviewer who may not read the requester's session cannot know. Asked only when a statement is
// held for review, on the same server connection the statement will run on, after the server has
// answered everything before it; nothing else is forwarded until the statement is released or
// refused, so the answer is what the statement meets.
//
// The question goes as extended-protocol messages under names no client uses (random), so the
// client's unnamed statement and portal are left alone. Between batches it ends with a Sync (its
// own transaction, or inside the client's block). Inside a batch (the held Execute's Parse and Bind
// already sent) it ends with a Flush: a Sync would commit the client's implicit transaction early.
// The question cannot fail on its own account (catalog functions, qualified), but if the server
// refuses it anyway inside a batch it now skips the client's messages up to their Sync, which
// Vigil did not plan for, so the connection is ended (fail closed).
import { randomBytes } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { Relay } from '../../relay/index.js';
import { parseDataRow, parseErrorFields } from './backend-messages.js';
import type { Frame } from './frame-reader.js';
import type { ResponseTracker } from './response-tracker.js';
import type { ResidueWatch } from './session-residue.js';
import { cstring, flush, int32, message } from './wire-writer.js';

/** Qualified and free of operators, so nothing a client put on its search_path runs instead. */
export const PROBE_SQL =
  "SELECT pg_catalog.current_setting('search_path'), " +
  "pg_catalog.array_to_string(pg_catalog.current_schemas(true), ', '), " +
  'current_user, session_user, pg_catalog.current_database()';

/** The names of the probe's columns, in order, as the held action shows them. */
const FIELDS = ['search_path', 'schemas', 'current_user', 'session_user', 'database'] as const;

/** Messages the server sends at any time (a NOTIFY, a notice, a setting report): they go to the client. */
const ASYNCHRONOUS = new Set(['A', 'N', 'S']);

export interface ProbeConnection {
  /** Resolves once the server has answered everything forwarded (ResponseTracker.answered). */
  answered(): Promise<void>;
  /** Asks the server to answer what it has read (sends a Flush). */
  askForAnswers(): void;
  /** Sends Vigil's own bytes to the server. */
  send(bytes: Buffer): void;
  /** The server's transaction status: 'E' when it has failed (the statement cannot run anyway). */
  status(): string;
  /** Extended-protocol messages were forwarded since the last Sync. */
  midBatch(): boolean;
  /** The server failed a message of the batch now being sent (it skips to Sync). */
  batchFailed(): boolean;
  closed(): boolean;
  /** Ends the session with this error. */
  fail(error: VigilError): void;
}

interface Pending {
  readonly resolve: (facts: JsonObject | null) => void;
  /** The message that ends the answer: ReadyForQuery after a Sync, the last CloseComplete after a Flush. */
  readonly synced: boolean;
  closes: number;
  row: JsonObject | null;
  failed: boolean;
}

export class SessionProbe {
  readonly #conn: ProbeConnection;
  #pending: Pending | null = null;

  constructor(conn: ProbeConnection) {
    this.#conn = conn;
  }

  /** Whether a server message of this type answers the probe (the follower hands it here). */
  answers(code: string): boolean {
    return this.#pending !== null && !ASYNCHRONOUS.has(code);
  }

  /**
   * `{server_session: {...}}` for the held action, or with `null` and why when the server was not
   * asked (its transaction failed: the statement will fail too) or the connection ended.
   */
  async ask(): Promise<JsonObject> {
    const conn = this.#conn;
    conn.askForAnswers();
    await conn.answered();
    if (conn.closed()) return { server_session: null };
    if (conn.status() === 'E' || conn.batchFailed()) {
      return { server_session: null, server_session_unknown: 'the transaction has failed' };
    }
    const synced = !conn.midBatch();
    const name = `vigil_probe_${randomBytes(8).toString('hex')}`;
    const facts = new Promise<JsonObject | null>((resolve) => {
      this.#pending = { resolve, synced, closes: 0, row: null, failed: false };
    });
    conn.send(
      Buffer.concat([
        message('P', cstring(name), cstring(PROBE_SQL), Buffer.from([0, 0])),
        message('B', cstring(name), cstring(name), Buffer.from([0, 0, 0, 0, 0, 0])),
        message('E', cstring(name), int32(0)),
        message('C', Buffer.from('P'), cstring(name)),
        message('C', Buffer.from('S'), cstring(name)),
        synced ? message('S') : flush(),
      ]),
    );
    const row = await facts;
    return row ? { server_session: row } : { server_session: null, server_session_unknown: 'not answered' };
  }

  /** One server message that answers the probe. */
  take(frame: Frame): void {
    const p = this.#pending;
    if (!p) return;
    if (frame.code === 'D') p.row = factsOf(parseDataRow(frame.body));
    if (frame.code === 'E') {
      p.failed = true;
      if (!p.synced) {
        const e = parseErrorFields(frame.body);
        this.#settle(null);
        this.#conn.fail(
          new VigilError('upstream_failed', `the server refused Vigil's session question: ${e.message}`),
        );
        return;
      }
    }
    if (frame.code === '3') p.closes++;
    if (p.synced ? frame.code === 'Z' : p.closes === 2) this.#settle(p.failed ? null : p.row);
  }

  /** The connection ended: nothing more will be answered. */
  abandon(): void {
    this.#settle(null);
  }

  #settle(facts: JsonObject | null): void {
    const p = this.#pending;
    this.#pending = null;
    p?.resolve(facts);
  }
}

/** The probe of a proxied connection (proxy-session.ts): `batch` is the batch now being sent. */
export function probeOn(
  tracker: ResponseTracker,
  relay: Relay,
  residue: ResidueWatch,
  batch: () => number,
): SessionProbe {
  return new SessionProbe({
    answered: () => tracker.answered(),
    askForAnswers: () => {
      relay.toUpstream(flush());
      relay.flushUpstream();
    },
    send: (bytes) => {
      relay.toUpstream(bytes);
      relay.flushUpstream();
    },
    status: () => tracker.status,
    midBatch: () => residue.unsynced,
    batchFailed: () => tracker.failedBatch === batch(),
    closed: () => relay.closed,
    fail: (error) => relay.fail(error),
  });
}

function factsOf(cells: readonly (Buffer | null)[]): JsonObject {
  const out: JsonObject = {};
  FIELDS.forEach((field, i) => {
    const cell = cells[i];
    out[field] = cell ? cell.toString('utf8') : null;
  });
  return out;
}
