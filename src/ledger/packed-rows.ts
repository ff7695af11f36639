// A batch of log rows as a worker receives them: every text column of every row in one string,
// with the lengths and sequence numbers in typed arrays that move without a copy. Posting the row
// objects themselves cost about 4 µs per row in structured cloning, more than checking them; one
// long string is copied once. Strings are cut back out by length, so no byte of a row, tampered or
// not, can be taken for a separator.
import type { RawEventRow } from '../core/ports.js';

export interface PackedRows {
  readonly text: string;
  /** Per row, the length of each of its TEXT_COLUMNS in order (NULL_TEXT for null); IRREGULAR first for a row not packed. */
  readonly lengths: Int32Array<ArrayBuffer>;
  readonly seqs: Float64Array<ArrayBuffer>;
}

const TEXT_COLUMNS = 10;
const NULL_TEXT = -1;
/**
 * A row holding something other than text where text belongs (a BLOB written into a text column, a
 * port returning odd values): not packed, so the verifier's thread checks it from the row itself.
 */
const IRREGULAR = -2;

export function packRows(rows: readonly RawEventRow[]): PackedRows {
  const parts: string[] = [];
  const lengths = new Int32Array(rows.length * TEXT_COLUMNS);
  const seqs = new Float64Array(rows.length);
  let at = 0;
  for (let i = 0; i < rows.length; i++, at += TEXT_COLUMNS) {
    const r = rows[i]!;
    if (!regularRow(r)) {
      lengths[at] = IRREGULAR;
      continue;
    }
    seqs[i] = r.seq;
    parts.push(r.type, r.sessionId, r.time, r.connection, r.identity, r.payloadHash, r.prevHash, r.hash);
    lengths[at] = r.type.length;
    lengths[at + 1] = r.sessionId.length;
    lengths[at + 2] = r.time.length;
    lengths[at + 3] = r.connection.length;
    lengths[at + 4] = r.identity.length;
    lengths[at + 5] = r.payloadHash.length;
    lengths[at + 6] = r.prevHash.length;
    lengths[at + 7] = r.hash.length;
    if (r.subject === null) lengths[at + 8] = NULL_TEXT;
    else {
      parts.push(r.subject);
      lengths[at + 8] = r.subject.length;
    }
    if (r.payload === null) lengths[at + 9] = NULL_TEXT;
    else {
      parts.push(r.payload);
      lengths[at + 9] = r.payload.length;
    }
  }
  return { text: parts.join(''), lengths, seqs };
}

/** Whether every column holds what the port promises (text where text belongs, a number for seq). */
export function regularRow(r: RawEventRow): boolean {
  return (
    typeof r.seq === 'number' &&
    typeof r.type === 'string' &&
    typeof r.sessionId === 'string' &&
    typeof r.time === 'string' &&
    typeof r.connection === 'string' &&
    typeof r.identity === 'string' &&
    typeof r.payloadHash === 'string' &&
    typeof r.prevHash === 'string' &&
    typeof r.hash === 'string' &&
    (r.subject === null || typeof r.subject === 'string') &&
    (r.payload === null || typeof r.payload === 'string')
  );
}

/** The rows back, `index` being their log position from `start`; null for a row not packed. */
export function unpackRows({ text, lengths, seqs }: PackedRows, start: number): (RawEventRow | null)[] {
  const rows: (RawEventRow | null)[] = [];
  let offset = 0;
  const next = (length: number): string | null => {
    if (length === NULL_TEXT) return null;
    offset += length;
    return text.slice(offset - length, offset);
  };
  for (let i = 0, at = 0; i < seqs.length; i++, at += TEXT_COLUMNS) {
    if (lengths[at] === IRREGULAR) {
      rows.push(null);
      continue;
    }
    rows.push({
      index: start + i,
      seq: seqs[i]!,
      type: next(lengths[at]!)!,
      sessionId: next(lengths[at + 1]!)!,
      time: next(lengths[at + 2]!)!,
      connection: next(lengths[at + 3]!)!,
      identity: next(lengths[at + 4]!)!,
      payloadHash: next(lengths[at + 5]!)!,
      prevHash: next(lengths[at + 6]!)!,
      hash: next(lengths[at + 7]!)!,
      subject: next(lengths[at + 8]!),
      payload: next(lengths[at + 9]!),
    });
  }
  return rows;
}
