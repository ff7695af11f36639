// Decodes the parameters of a COM_STMT_EXECUTE by their types (the binary protocol), into what the
// ledger records: numbers as JSON numbers (or strings past 2^53), dates and times as ISO-like
// text, strings as text when they are valid UTF-8 and as `\x` hex otherwise, NULL as null. A value
// over `RECORDED_VALUE_BYTES` is recorded by its size and SHA-256 only: a prefix could hold half a
// secret that masking no longer recognises.
import { createHash } from 'node:crypto';
import { TextDecoder } from 'node:util';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { TYPE } from './constants.js';
import type { PayloadReader } from './payload-reader.js';

export const RECORDED_VALUE_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface ParamType {
  readonly type: number;
  readonly unsigned: boolean;
}

/** Bytes as the ledger shows them. */
export function recordedBytes(bytes: Buffer): JsonValue {
  if (bytes.length > RECORDED_VALUE_BYTES) {
    return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return `\\x${bytes.toString('hex')}`;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function readBinaryValue(r: PayloadReader, t: ParamType): JsonValue {
  switch (t.type) {
    case TYPE.NULL:
      return null;
    case TYPE.TINY: {
      const v = r.u8();
      return t.unsigned ? v : (v << 24) >> 24;
    }
    case TYPE.SHORT:
    case TYPE.YEAR: {
      const v = r.u16();
      return t.unsigned || t.type === TYPE.YEAR ? v : (v << 16) >> 16;
    }
    case TYPE.LONG:
    case TYPE.INT24: {
      const v = r.u32();
      return t.unsigned ? v : v | 0;
    }
    case TYPE.LONGLONG: {
      const raw = r.u64();
      const v = t.unsigned ? raw : BigInt.asIntN(64, raw);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(v)
        : v.toString();
    }
    case TYPE.FLOAT:
      return finite(r.bytes(4).readFloatLE(0));
    case TYPE.DOUBLE:
      return finite(r.bytes(8).readDoubleLE(0));
    case TYPE.DATE:
    case TYPE.DATETIME:
    case TYPE.TIMESTAMP:
    case TYPE.DATETIME2:
    case TYPE.TIMESTAMP2:
    case TYPE.NEWDATE:
      return readDateTime(r, t.type === TYPE.DATE || t.type === TYPE.NEWDATE);
    case TYPE.TIME:
    case TYPE.TIME2:
      return readTime(r);
    case TYPE.DECIMAL:
    case TYPE.NEWDECIMAL:
    case TYPE.VARCHAR:
    case TYPE.BIT:
    case TYPE.JSON:
    case TYPE.ENUM:
    case TYPE.SET:
    case TYPE.TINY_BLOB:
    case TYPE.MEDIUM_BLOB:
    case TYPE.LONG_BLOB:
    case TYPE.BLOB:
    case TYPE.VAR_STRING:
    case TYPE.STRING:
    case TYPE.GEOMETRY:
      return recordedBytes(r.lenencBytes());
    default:
      // The server would reject it; Vigil cannot know its length, so it cannot read on.
      throw new VigilError('protocol_violation', `unknown parameter type ${t.type}`);
  }
}

/** JSON has no NaN or infinity: they are recorded as text. */
function finite(v: number): JsonValue {
  return Number.isFinite(v) ? v : String(v);
}

function readDateTime(r: PayloadReader, dateOnly: boolean): string {
  const length = r.u8();
  if (length === 0) return dateOnly ? '0000-00-00' : '0000-00-00 00:00:00';
  if (length !== 4 && length !== 7 && length !== 11)
    throw new VigilError('protocol_violation', `invalid date length ${length}`);
  const y = r.u16();
  const mo = r.u8();
  const d = r.u8();
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (length === 4) return dateOnly ? date : `${date} 00:00:00`;
  const time = `${pad(r.u8())}:${pad(r.u8())}:${pad(r.u8())}`;
  const micro = length === 11 ? r.u32() : 0;
  return `${date} ${time}${micro ? `.${pad(micro, 6)}` : ''}`;
}

function readTime(r: PayloadReader): string {
  const length = r.u8();
  if (length === 0) return '00:00:00';
  if (length !== 8 && length !== 12)
    throw new VigilError('protocol_violation', `invalid time length ${length}`);
  const negative = r.u8() === 1;
  const days = r.u32();
  const h = r.u8() + days * 24;
  const time = `${negative ? '-' : ''}${pad(h)}:${pad(r.u8())}:${pad(r.u8())}`;
  const micro = length === 12 ? r.u32() : 0;
  return `${time}${micro ? `.${pad(micro, 6)}` : ''}`;
}
