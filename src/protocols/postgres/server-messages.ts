// What the server tells the client besides rows, command tags and errors, as the record keeps it:
// a NoticeResponse (RAISE NOTICE, a warning), a NotificationResponse (a NOTIFY on a channel the
// session listens to) and a ParameterStatus (a reported setting changed). Each can carry a table's
// values to the client: a function or trigger made earlier can `RAISE NOTICE '%', salary`,
// `pg_notify('ch', salary)` or `set_config('application_name', salary, false)`, and the statement
// that runs it names no table a rule holds. Vigil cannot stop what it cannot see (docs/postgres.md,
// What no SQL guardrail can see), so it records what the client was shown: the record of a
// session is what its client saw, and masking applies to these as to rows.
//
// Bounded as rows and errors are: a loop can raise millions of notices, so at most
// RECORDED_SERVER_MESSAGES are kept per statement (the rest counted); a text over
// RECORDED_VALUE_BYTES is recorded by its size only (a prefix could end in half a secret), and so
// is every text once those kept reach RECORDED_SERVER_MESSAGE_BYTES (a notice has a dozen fields
// of up to 64 KiB each: a hundred of them would otherwise put 90 MB into one record).
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { parseParameterStatus } from './backend-messages.js';
import { BodyReader } from './body-reader.js';
import { RECORDED_VALUE_BYTES } from './recorded-value.js';

/** Messages kept per statement (and per stretch between two results); the rest are only counted. */
export const RECORDED_SERVER_MESSAGES = 100;
/** Bytes of text kept verbatim per stretch, as for a row's values (streamed-row.ts). */
export const RECORDED_SERVER_MESSAGE_BYTES = 1024 * 1024;

/**
 * Notice fields by their names in the record. The ones left out say where in the server's source
 * the notice was raised (file, line, routine) and the unlocalized severity when V is there.
 */
const NOTICE_FIELDS: Readonly<Record<string, string>> = {
  V: 'severity',
  C: 'sqlstate',
  M: 'message',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internal_position',
  q: 'internal_query',
  W: 'context',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'data_type',
  n: 'constraint',
};

const same = (text: string) => text;

export interface RecordedServerMessages extends JsonObject {
  /** How many arrived; `messages` holds the first RECORDED_SERVER_MESSAGES of them. */
  count: number;
  messages: JsonObject[];
}

/** The server's messages of one stretch (a statement, or between two results), as recorded. */
export class ServerMessages {
  #messages: JsonObject[] = [];
  #count = 0;
  /** Bytes of text kept verbatim since the last take. */
  #bytes = 0;

  /** A NoticeResponse body; `recorded` masks what the statement's record masked (a quoted value). */
  notice(body: Buffer, recorded: (text: string) => string = same): void {
    if (!this.#counted()) return;
    const r = new BodyReader(body);
    const entry: JsonObject = { type: 'notice' };
    while (r.remaining > 0) {
      const code = r.byte();
      if (code === 0) break;
      const value = r.cstring();
      const name = NOTICE_FIELDS[String.fromCharCode(code)];
      if (name) entry[name] = this.#kept(value, recorded);
    }
    if (entry.severity === undefined) entry.severity = 'NOTICE';
    this.#messages.push(entry);
  }

  /** A NotificationResponse body: the sending backend's pid, the channel and the payload. */
  notification(body: Buffer): void {
    if (!this.#counted()) return;
    const r = new BodyReader(body);
    const pid = r.int32();
    const channel = r.cstring();
    this.#messages.push({ type: 'notification', pid, channel, payload: this.#kept(r.cstring(), same) });
  }

  /** A ParameterStatus body. */
  report(body: Buffer): void {
    if (!this.#counted()) return;
    const [name, value] = parseParameterStatus(body);
    this.#messages.push({ type: 'parameter', name, value: this.#kept(value, same) });
  }

  /** A notice too large to hold, passed on to the client as it arrived (upstream-follower.ts). */
  streamed(bytes: number): void {
    if (!this.#counted()) return;
    this.#messages.push({
      type: 'notice',
      severity: null,
      message: `<notice of ${bytes} bytes not recorded>`,
    });
  }

  /** Adds what another stretch took (its messages come after these). */
  absorb(other: RecordedServerMessages | null): void {
    if (!other) return;
    const room = RECORDED_SERVER_MESSAGES - this.#messages.length;
    this.#messages.push(...other.messages.slice(0, Math.max(0, room)));
    this.#count += other.count;
  }

  /** What was recorded since the last take, or null when nothing arrived. */
  take(): RecordedServerMessages | null {
    if (this.#count === 0) return null;
    const out = { count: this.#count, messages: this.#messages };
    this.#messages = [];
    this.#count = 0;
    this.#bytes = 0;
    return out;
  }

  /** The recorded form of a text: itself, or its size when it is over a bound. */
  #kept(text: string, recorded: (text: string) => string): string {
    const bytes = Buffer.byteLength(text);
    if (bytes > RECORDED_VALUE_BYTES || this.#bytes + bytes > RECORDED_SERVER_MESSAGE_BYTES)
      return `<text of ${bytes} bytes not recorded>`;
    this.#bytes += bytes;
    return recorded(text);
  }

  /** Counts one message; whether it is to be kept. */
  #counted(): boolean {
    this.#count++;
    return this.#messages.length < RECORDED_SERVER_MESSAGES;
  }
}

/**
 * The session as the relay ends it: what the server sent after the last recorded result (a
 * notification that came while the client was idle, just before it left) goes into session.end,
 * since no later db.result will carry it.
 */
export function endingWithServerMessages(
  session: ModuleSession,
  tracker: { takeUnrecordedMessages(): JsonObject | null },
): ModuleSession {
  const end: ModuleSession['end'] = (reason, facts) => {
    const left = tracker.takeUnrecordedMessages();
    return session.end(reason, left ? { ...facts, server_messages: left } : facts);
  };
  return new Proxy(session, {
    get(target, key) {
      if (key === 'end') return end;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
