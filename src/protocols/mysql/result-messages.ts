// The server's answers Vigil reads to follow a session: OK and EOF packets (status flags, affected
// rows, warnings), column definitions (name, type, character set), rows in the text and binary
// protocols (for the sample of rows the ledger keeps), and PREPARE's answer.
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { readBinaryValue, recordedBytes } from './binary-values.js';
import { PayloadReader } from './payload-reader.js';

export interface OkPacket {
  readonly affectedRows: number;
  readonly lastInsertId: number;
  readonly status: number;
  readonly warnings: number;
}

/** An OK packet (header 0x00, or 0xFE ending a result set when EOF packets are deprecated). */
export function parseOk(payload: Buffer): OkPacket {
  const r = new PayloadReader(payload, 1);
  const affectedRows = r.lenenc();
  const lastInsertId = r.lenenc();
  const status = r.remaining >= 2 ? r.u16() : 0;
  const warnings = r.remaining >= 2 ? r.u16() : 0;
  return { affectedRows, lastInsertId, status, warnings };
}

/** A classic EOF packet: 0xFE, warnings, status. */
export function parseEof(payload: Buffer): { status: number; warnings: number } {
  if (payload.length < 5) return { status: 0, warnings: 0 };
  return { warnings: payload.readUInt16LE(1), status: payload.readUInt16LE(3) };
}

/**
 * 0xFE with a short payload: an EOF, or with EOF deprecated, the OK that ends a result set (a row
 * that starts with 0xFE, a value of 2^24 bytes or more, is longer). `length`: the payload's length
 * as its header declares it, when `payload` holds only its head.
 */
export function isEndOfRows(payload: Buffer, deprecateEof: boolean, length = payload.length): boolean {
  return payload[0] === 0xfe && (deprecateEof ? length < 0xff_ffff : length < 9);
}

export interface ColumnDef {
  readonly name: string;
  readonly type: number;
  readonly charset: number;
  readonly unsigned: boolean;
}

/** `extendedMetadata`: MariaDB's EXTENDED_METADATA was negotiated, adding a block after org_name. */
export function parseColumnDef(payload: Buffer, extendedMetadata: boolean): ColumnDef {
  const r = new PayloadReader(payload);
  for (let i = 0; i < 4; i++) r.lenencBytes(); // catalog, schema, table, org_table
  const name = r.lenencBytes().toString('utf8');
  r.lenencBytes(); // org_name
  if (extendedMetadata) r.lenencBytes();
  r.lenenc(); // length of the fixed fields
  const charset = r.u16();
  r.u32(); // column length
  const type = r.u8();
  const flags = r.u16();
  return { name, type, charset, unsigned: (flags & 0x20) !== 0 };
}

/** A text-protocol row: every value a length-encoded string or NULL. */
export function parseTextRow(payload: Buffer, columns: readonly ColumnDef[]): JsonValue[] {
  const r = new PayloadReader(payload);
  return columns.map(() => {
    const length = r.lenencOrNull();
    if (length === null) return null;
    return recordedBytes(r.bytes(length));
  });
}

/** A binary-protocol row: a 0x00 header, a NULL bitmap offset by two bits, values by column type. */
export function parseBinaryRow(payload: Buffer, columns: readonly ColumnDef[]): JsonValue[] {
  const r = new PayloadReader(payload, 1);
  const bitmap = r.bytes((columns.length + 9) >> 3);
  return columns.map((c, i) => {
    const bit = i + 2;
    if (bitmap[bit >> 3]! & (1 << (bit & 7))) return null;
    const v = readBinaryValue(r, { type: c.type, unsigned: c.unsigned });
    return typeof v === 'number' ? String(v) : v;
  });
}

export interface PrepareOk {
  readonly statementId: number;
  readonly columns: number;
  readonly params: number;
}

export function parsePrepareOk(payload: Buffer): PrepareOk {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  const columns = r.u16();
  const params = r.u16();
  return { statementId, columns, params };
}

/** The column count that starts a result set (a length-encoded integer). */
export function readColumnCount(payload: Buffer): number {
  const first = payload[0]!;
  if (first < 0xfb) return first;
  if (first === 0xfc) return payload.readUInt16LE(1);
  if (first === 0xfd) return payload.readUIntLE(1, 3);
  throw new VigilError('protocol_violation', 'unreadable column count from the upstream');
}
