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

export function parseQuery(body: Buffer): string {
  return new BodyReader(body).cstring();
}

export function parsePassword(body: Buffer): string {
  return new BodyReader(body).cstring();
}

export interface ParseMessage {
  readonly name: string;
  readonly query: string;
  readonly paramTypes: readonly number[];
}

export function parseParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body);
  const name = r.cstring();
  const query = r.cstring();
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
  const portal = r.cstring();
  const statement = r.cstring();
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
  return { portal: r.cstring(), maxRows: r.int32() };
}

/** Describe and Close share a shape: 'S' for a statement or 'P' for a portal, then its name. */
export function parseTarget(body: Buffer): { readonly target: 'S' | 'P'; readonly name: string } {
  const r = new BodyReader(body);
  const t = String.fromCharCode(r.byte());
  if (t !== 'S' && t !== 'P')
    throw new VigilError('protocol_violation', `invalid describe/close target ${t}`);
  return { target: t, name: r.cstring() };
}
