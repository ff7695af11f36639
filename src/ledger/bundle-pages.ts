// The gateway-friendly halves of an export bundle: the session read a page at a time
// (Store.readSessionPage), and the bundle's text encoded an event at a time, the thread given back
// between pages and pieces. Until 5 December exportBundle read the whole session with one
// readSession and encoded the bundle with one canonicalJson: a user who made their own session tens
// of megabytes could stall every session's traffic for most of a second per GET /verify, in a loop.
import { canonicalJson } from '../core/canonical-json.js';
import { VigilError } from '../core/errors.js';
import type { StoredEvent } from '../core/events.js';
import type { Store } from '../core/ports.js';

/**
 * A page: a few events, cut at PAGE_BYTES of payloads (an ssh.output chunk is up to about 1 MB).
 * SQLite reads on this thread and measures every row of the LIMIT before cutting: keep it small.
 */
const PAGE_EVENTS = 8;
const PAGE_BYTES = 256 * 1024;
/** Characters of bundle text encoded between two turns of the event loop. */
const PIECE_CHARS = 512 * 1024;

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The session's events in seq order, read page by page. With `maxPayloadChars`, throws
 * `bundle_too_large` as soon as the payloads read (as canonical JSON) pass it, reading no further.
 */
export async function readSessionPaged(
  store: Store,
  sessionId: string,
  maxPayloadChars?: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let chars = 0;
  let afterSeq = -1;
  for (;;) {
    const page = await store.readSessionPage(sessionId, {
      afterSeq,
      limit: PAGE_EVENTS,
      maxPayloadBytes: PAGE_BYTES,
    });
    for (const e of page.events) {
      events.push(e);
      if (maxPayloadChars !== undefined && e.payload !== null) {
        chars += encodeStored(e.payload, sessionId, e.seq).length;
        if (chars > maxPayloadChars) throw bundleTooLarge(sessionId, maxPayloadChars);
      }
    }
    if (page.nextAfterSeq === null) return events;
    afterSeq = page.nextAfterSeq;
    await nextTurn();
  }
}

/**
 * canonicalJson of a value read from the store. The gateway never records a payload nested past
 * MAX_JSON_DEPTH, but a row written into the database by hand can be nested so deep that encoding
 * it overflows the stack: that is reported as the tampering it is (`vigil verify` names the row),
 * not thrown as a RangeError (until 6 December `vigil export` printed a stack trace).
 */
function encodeStored(value: unknown, sessionId: string, seq: number): string {
  try {
    return canonicalJson(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new VigilError(
      'ledger_tampered',
      `event ${seq} of session ${sessionId} is nested too deep to be one the gateway recorded: run vigil verify`,
      { details: { reason: 'payload_too_deep', session: sessionId, seq } },
    );
  }
}

export function bundleTooLarge(sessionId: string, limit: number): VigilError {
  return new VigilError(
    'bundle_too_large',
    `session ${sessionId} holds more than the gateway bundles while it serves traffic ` +
      `(${limit / 1024 / 1024} MiB of payloads): \`vigil export ${sessionId}\` writes its bundle to a ` +
      `file and \`vigil verify --session ${sessionId}\` checks it`,
    { details: { limit } },
  );
}

/**
 * `canonicalJson({ ...bundle, events })`, the events made (`entry`) and encoded a few at a time: the
 * same bytes, since canonical JSON writes an array as its items' encodings joined by commas.
 */
export async function canonicalBundleText<T>(
  bundle: Record<string, unknown>,
  events: readonly T[],
  entry: (event: T) => unknown,
): Promise<string> {
  const frame = canonicalJson({ ...bundle, events: [] });
  // The keys sorted, only `checkpoint` precedes `events`: its strings escape every quote, so this is
  // the member itself. `at` is its closing bracket.
  const empty = '"events":[]';
  const at = frame.indexOf(empty) + empty.length - 1;
  const parts: string[] = [frame.slice(0, at)];
  let chars = 0;
  for (const [i, event] of events.entries()) {
    const text = encodeStored(entry(event), String(bundle.session ?? ''), i);
    parts.push(i === 0 ? text : `,${text}`);
    chars += text.length + 64;
    if (chars >= PIECE_CHARS) {
      chars = 0;
      await nextTurn();
    }
  }
  parts.push(frame.slice(at));
  return parts.join('');
}
