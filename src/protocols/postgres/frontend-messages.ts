// Decoders for the client (frontend) messages Vigil needs to understand. Everything else is
// forwarded as received. Each decoder reads one message body and throws protocol_violation on
// anything malformed.
import { VigilError } from '../../core/errors.js';
import { BodyReader } from './body-reader.js';

export const STARTUP_CODES = {
  protocol3: 196608,
  ssl: 80877103,
  gssenc: 80877104,
  cancel: 80877102,
} as const;

export type StartupPacket =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly pid: number; readonly secret: Buffer }
  | { readonly kind: 'startup'; readonly version: number; readonly params: Readonly<Record<string, string>> };

export function parseStartupPacket(body: Buffer): StartupPacket {
  const r = new BodyReader(body);
  const code = r.int32();
  if (code === STARTUP_CODES.ssl) return { kind: 'ssl' };
  if (code === STARTUP_CODES.gssenc) return { kind: 'gssenc' };
  if (code === STARTUP_CODES.cancel) {
    const pid = r.int32();
    // Protocol 3.2 allows longer secrets; 3.0 uses four bytes.
    return { kind: 'cancel', pid, secret: Buffer.from(r.bytes(r.remaining)) };
  }
  if (code >>> 16 !== 3) {
    throw new VigilError(
      'protocol_violation',
      `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}`,
    );
  }
  const params: Record<string, string> = Object.create(null);
  for (;;) {
    const key = r.cstring();
    if (key === '') break;
    params[key] = r.cstring();
  }
  return { kind: 'startup', version: code, params };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Statement text as the server reads it in a UTF-8 session, or null when the bytes are not valid
 * UTF-8: a lossy decoding could show Vigil a text the server never sees, so Vigil does not judge it.
 */
export function decodeStatementText(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A statement or portal name as a key: its raw bytes one-to-one (latin1), so names the server
 * tells apart stay apart. Only for lookups; shown names are decoded with `displayName`.
 */
function nameKey(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** The name key of a name read from SQL text (PREPARE p, DEALLOCATE p). */
export function nameKeyOfText(name: string): string {
  return nameKey(Buffer.from(name, 'utf8'));
}

/** A name key as readable text for the record (invalid UTF-8 shows as replacement characters). */
export function displayName(key: string): string {
  return Buffer.from(key, 'latin1').toString('utf8');
}

export interface QueryMessage {
  /** The text, or null when it is not valid UTF-8. */
  readonly text: string | null;
  readonly bytes: Buffer;
}

export function parseQuery(body: Buffer): QueryMessage {
  const bytes = new BodyReader(body).cstringBytes();
  return { text: decodeStatementText(bytes), bytes };
}

export function parsePassword(body: Buffer): string {
  return new BodyReader(body).cstring();
}

export interface ParseMessage {
  /** A name key (see nameKey). */
  readonly name: string;
  /** The text, or null when it is not valid UTF-8. */
  readonly query: string | null;
  readonly paramTypes: readonly number[];
}

export function parseParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body);
  const name = nameKey(r.cstringBytes());
  const query = decodeStatementText(r.cstringBytes());
  const n = r.count16(4);
  const paramTypes: number[] = [];
  for (let i = 0; i < n; i++) paramTypes.push(r.int32() >>> 0);
  return { name, query, paramTypes };
}

export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  /** Per parameter: null for SQL NULL, the raw bytes and whether they are in binary format. */
  readonly params: readonly ({ readonly value: Buffer; readonly binary: boolean } | null)[];
  /** Result column formats: none (all text), one (for all) or one per column. */
  readonly resultFormats: readonly number[];
}

export function parseBind(body: Buffer): BindMessage {
  const r = new BodyReader(body);
  const portal = nameKey(r.cstringBytes());
  const statement = nameKey(r.cstringBytes());
  const nFormats = r.count16(2);
  const formats: number[] = [];
  for (let i = 0; i < nFormats; i++) formats.push(r.int16());
  const nParams = r.count16(4);
  if (nFormats > 1 && nFormats !== nParams) {
    throw new VigilError('protocol_violation', `bind has ${nFormats} formats for ${nParams} parameters`);
  }
  const params: ({ value: Buffer; binary: boolean } | null)[] = [];
  for (let i = 0; i < nParams; i++) {
    const len = r.int32();
    const binary = (nFormats === 1 ? formats[0] : nFormats === 0 ? 0 : formats[i]) === 1;
    if (len < -1) throw new VigilError('protocol_violation', `invalid parameter length ${len}`);
    params.push(len === -1 ? null : { value: r.bytes(len), binary });
  }
  const nResults = r.count16(2);
  const resultFormats: number[] = [];
  for (let i = 0; i < nResults; i++) resultFormats.push(r.int16());
  return { portal, statement, params, resultFormats };
}

export function parseExecute(body: Buffer): { readonly portal: string; readonly maxRows: number } {
  const r = new BodyReader(body);
  return { portal: nameKey(r.cstringBytes()), maxRows: r.int32() };
}

/** Describe and Close share a shape: 'S' for a statement or 'P' for a portal, then its name. */
export function parseTarget(body: Buffer): { readonly target: 'S' | 'P'; readonly name: string } {
  const r = new BodyReader(body);
  const t = String.fromCharCode(r.byte());
  if (t !== 'S' && t !== 'P')
    throw new VigilError('protocol_violation', `invalid describe/close target ${t}`);
  return { target: t, name: nameKey(r.cstringBytes()) };
}
