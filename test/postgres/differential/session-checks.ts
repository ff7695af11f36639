// The comparisons between what Vigil recorded for a session and what the server logged as executed
// for the same backend. Pure: the runner gathers both sides, these functions name every mismatch.
import type { StoredEvent } from '../../../src/core/events.js';
import { parseErrorFields } from '../../../src/protocols/postgres/backend-messages.js';
import type { ServerExecution } from './server-log.js';
import type { BackendMessage } from './wire.js';

export interface RecordedStatement {
  /** The statement text Vigil recorded (null when it did not know it). */
  readonly statement: string | null;
  readonly protocol: string;
  /** Epoch milliseconds of the db.query event. */
  readonly at: number;
  /** A policy.decision denied it: the server must never run it. */
  readonly denied: boolean;
}

/** The db.query events of one session, each marked denied when a denial decision follows it. */
export function recordedStatements(events: readonly StoredEvent[]): RecordedStatement[] {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const out: RecordedStatement[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    if (e.type !== 'db.query') continue;
    let denied = false;
    // The decision is recorded right after the action; results of earlier statements may come between.
    for (let j = i + 1; j < sorted.length && sorted[j]!.type !== 'db.query'; j++) {
      const d = sorted[j]!;
      if (
        d.type === 'policy.decision' &&
        d.payload?.subject_type === 'db.query' &&
        d.payload.action === 'deny'
      ) {
        denied = true;
        break;
      }
    }
    const statement = e.payload?.statement;
    out.push({
      statement: typeof statement === 'string' ? statement : null,
      protocol: String(e.payload?.protocol ?? ''),
      at: Date.parse(e.time),
      denied,
    });
  }
  return out;
}

const show = (s: string | null) => (s === null ? 'null' : JSON.stringify(s));

/**
 * Every server execution, in order, must be matched by a later allowed db.query with the same
 * text, recorded no later than the server logged it (write-ahead; 1 ms for the two clocks'
 * rounding). Recorded statements the server never ran (it skipped them after an error, the
 * portal did not exist) are passed over; a denied one must never be what the server ran.
 */
export function compareExecutions(
  recorded: readonly RecordedStatement[],
  executed: readonly ServerExecution[],
): string[] {
  const findings: string[] = [];
  let next = 0;
  for (const [k, exec] of executed.entries()) {
    let match = -1;
    for (let j = next; j < recorded.length; j++) {
      const r = recorded[j]!;
      if (!r.denied && r.statement === exec.text) {
        match = j;
        break;
      }
    }
    if (match < 0) {
      const denied = recorded.find((r) => r.denied && r.statement === exec.text);
      const pending = recorded.slice(next).map((r) => `${r.denied ? 'denied ' : ''}${show(r.statement)}`);
      findings.push(
        denied
          ? `the server ran ${show(exec.text)} (${exec.label}), which Vigil recorded as denied`
          : `the server ran ${show(exec.text)} (${exec.label}, execution ${k + 1}) with no matching db.query; ` +
              `Vigil's unmatched records from here: [${pending.join(', ')}]`,
      );
      continue;
    }
    const r = recorded[match]!;
    if (r.at > exec.at + 1) {
      findings.push(
        `db.query ${show(r.statement)} was recorded at ${new Date(r.at).toISOString()}, after the server ran it ` +
          `at ${new Date(exec.at).toISOString()} (not write-ahead)`,
      );
    }
    next = match + 1;
  }
  return findings;
}

/** Column names and types: the table oid is left out, since the table is created anew for each run. */
function describedColumns(body: Buffer): string[] {
  const out: string[] = [];
  let at = 2;
  for (let i = body.readInt16BE(0); i > 0; i--) {
    const end = body.indexOf(0, at);
    const name = body.toString('utf8', at, end);
    at = end + 1;
    const attnum = body.readInt16BE(at + 4);
    const type = body.readInt32BE(at + 6);
    const format = body.readInt16BE(at + 16);
    out.push(`${name}:${type}:${attnum}:${format}`);
    at += 18;
  }
  return out;
}

/** A backend message as a line a person can read in a diff. */
export function renderMessage(m: BackendMessage): string {
  switch (m.code) {
    case 'E': {
      const e = parseErrorFields(m.body);
      return `ErrorResponse ${e.code} ${JSON.stringify(e.message)}`;
    }
    case 'C':
      return `CommandComplete ${JSON.stringify(m.body.toString('latin1').replace(/\0$/, ''))}`;
    case 'T':
      return `RowDescription ${JSON.stringify(describedColumns(m.body))}`;
    case 'D':
      return `DataRow ${m.body.toString('hex')}`;
    case 'Z':
      return `ReadyForQuery ${m.body.toString('latin1')}`;
    default:
      return `${m.code} ${m.body.toString('hex')}`;
  }
}

/** Messages that are the server's replies: notices and parameter reports are left out (Vigil adds its own). */
export function replyLines(messages: readonly BackendMessage[]): string[] {
  return messages.filter((m) => m.code !== 'N' && m.code !== 'S' && m.code !== 'K').map(renderMessage);
}

/** Vigil's own refusals say so in their message; the server's never start this way. */
export function isVigilRefusal(line: string): boolean {
  return /^ErrorResponse \w+ "vigil: /.test(line);
}

/**
 * The replies through Vigil must be the server's, except that Vigil may refuse with an error of
 * its own where the server would have failed anyway (both then skip to Sync alike). A refusal
 * where the server would have answered otherwise is a difference.
 */
export function compareReplies(
  direct: readonly BackendMessage[],
  viaVigil: readonly BackendMessage[],
): string[] {
  const a = replyLines(direct);
  const b = replyLines(viaVigil);
  // Past a refusal the two sessions hold different state (what was refused never ran), so the
  // comparison ends at the first one Vigil made where the server would have gone on.
  const refused = b.findIndex((line, i) => isVigilRefusal(line) && !a[i]?.startsWith('ErrorResponse '));
  const length = refused >= 0 ? refused : Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const same =
      a[i] === b[i] || (b[i] !== undefined && isVigilRefusal(b[i]!) && a[i]?.startsWith('ErrorResponse '));
    if (!same) {
      const from = Math.max(0, i - 2);
      return [
        `Vigil is not transparent: reply ${i + 1} differs.\n      direct: ${a.slice(from, i + 3).join(' | ')}\n` +
          `      vigil:  ${b.slice(from, i + 3).join(' | ')}`,
      ];
    }
  }
  return [];
}

export function compareServerTexts(
  direct: readonly ServerExecution[],
  viaVigil: readonly ServerExecution[],
): string[] {
  const a = direct.map((e) => e.text);
  const b = viaVigil.map((e) => e.text);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [
    `the server ran different statements through Vigil: direct ${JSON.stringify(a)}, via Vigil ${JSON.stringify(b)}`,
  ];
}
