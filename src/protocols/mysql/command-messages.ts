// The client's commands after the handshake, parsed: the command byte and what Vigil needs to
// judge and record it. Parsers take a whole logical packet's payload and throw
// `protocol_violation` on anything malformed; they never read past the payload.
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { type ParamType, readBinaryValue } from './binary-values.js';
import { PayloadReader } from './payload-reader.js';

export interface ExecuteMessage {
  readonly statementId: number;
  readonly cursorFlags: number;
  /** Types sent with this execution; null when the client reuses the last ones bound. */
  readonly types: ParamType[] | null;
  /** Where the values start, to be read once the types are known. */
  readonly valuesAt: number;
  readonly nullBitmap: Buffer;
}

export function parseExecuteHead(payload: Buffer, paramCount: number): ExecuteMessage {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  const cursorFlags = r.u8();
  r.u32(); // iteration count, always 1
  if (paramCount === 0)
    return { statementId, cursorFlags, types: [], valuesAt: r.position, nullBitmap: Buffer.alloc(0) };
  const nullBitmap = r.bytes((paramCount + 7) >> 3);
  const bound = r.u8();
  let types: ParamType[] | null = null;
  if (bound === 1) {
    types = [];
    for (let i = 0; i < paramCount; i++) {
      const type = r.u8();
      const flags = r.u8();
      types.push({ type, unsigned: (flags & 0x80) !== 0 });
    }
  } else if (bound !== 0) throw new VigilError('protocol_violation', 'invalid new-params-bound flag');
  return { statementId, cursorFlags, types, valuesAt: r.position, nullBitmap };
}

/** The statement id a command names (EXECUTE, SEND_LONG_DATA, CLOSE, RESET, FETCH). */
export function statementIdOf(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}

/**
 * The parameter values of an execution. Parameters supplied by COM_STMT_SEND_LONG_DATA carry no
 * value in the packet; `longData` gives theirs, whatever their NULL bit says: the server reads the
 * bit only for parameters without long data (MariaDB sql_prepare.cc, insert_params).
 */
export function readParams(
  payload: Buffer,
  head: ExecuteMessage,
  types: readonly ParamType[],
  longData: ReadonlyMap<number, JsonValue>,
): JsonValue[] {
  const r = new PayloadReader(payload, head.valuesAt);
  const out: JsonValue[] = [];
  for (let i = 0; i < types.length; i++) {
    const isNull = (head.nullBitmap[i >> 3]! & (1 << (i & 7))) !== 0;
    if (longData.has(i)) out.push(longData.get(i)!);
    else if (isNull) out.push(null);
    else out.push(readBinaryValue(r, types[i]!));
  }
  if (r.remaining !== 0) throw new VigilError('protocol_violation', 'bytes after the last parameter');
  return out;
}

/** An execution's parameters as the server will bind them, and the types it sent, if any. */
export interface Execution {
  /** Types sent with this execution: the statement's from now on. Null when it reused the last ones. */
  readonly sentTypes: ParamType[] | null;
  readonly parameters: JsonValue[];
}

/**
 * Reads a COM_STMT_EXECUTE of a statement with `paramCount` parameters, whose last bound types are
 * `lastTypes`. What Vigil cannot judge as the server will run it is refused with
 * `statement_uncertain`: a cursor, or no parameter types sent now or before.
 */
export function readExecution(
  payload: Buffer,
  paramCount: number,
  lastTypes: readonly ParamType[] | null,
  longData: ReadonlyMap<number, JsonValue>,
): Execution {
  const head = parseExecuteHead(payload, paramCount);
  if (head.cursorFlags !== 0)
    throw new VigilError(
      'statement_uncertain',
      'cursors are not supported through Vigil: execute without one',
    );
  const types = head.types ?? lastTypes;
  if (types === null)
    throw new VigilError(
      'statement_uncertain',
      'the execution names no parameter types and none were bound before',
    );
  return { sentTypes: head.types, parameters: readParams(payload, head, types, longData) };
}

export interface LongDataMessage {
  readonly statementId: number;
  readonly param: number;
  readonly data: Buffer;
}

export function parseLongData(payload: Buffer): LongDataMessage {
  const r = new PayloadReader(payload, 1);
  return { statementId: r.u32(), param: r.u16(), data: r.rest() };
}

/** COM_QUERY, COM_STMT_PREPARE, COM_INIT_DB: the rest of the packet is the text. */
export function textOf(payload: Buffer): Buffer {
  return payload.subarray(1);
}

/** COM_FIELD_LIST: a table name (NUL-terminated), then a wildcard. */
export function parseFieldList(payload: Buffer): string {
  return new PayloadReader(payload, 1).nulString();
}

export function parseSetOption(payload: Buffer): number {
  return new PayloadReader(payload, 1).u16();
}
