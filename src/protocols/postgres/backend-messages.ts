// Decoders for the server (backend) messages Vigil reads: what it records (results, errors) and
// what it needs during upstream authentication. All other backend messages pass through untouched.
import { BodyReader } from './body-reader.js';

export interface ErrorNotice {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

export function parseErrorFields(body: Buffer): ErrorNotice {
  const fields = new Map<string, string>();
  const r = new BodyReader(body);
  while (r.remaining > 0) {
    const code = r.byte();
    if (code === 0) break;
    fields.set(String.fromCharCode(code), r.cstring());
  }
  return {
    severity: fields.get('V') ?? fields.get('S') ?? 'ERROR',
    code: fields.get('C') ?? 'XX000',
    message: fields.get('M') ?? '',
  };
}

export interface ColumnDescription {
  readonly name: string;
  readonly typeOid: number;
  /** 0 text, 1 binary. */
  readonly format: number;
}

export function parseRowDescription(body: Buffer): ColumnDescription[] {
  const r = new BodyReader(body);
  const n = r.count16(19);
  const out: ColumnDescription[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.cstring();
    r.int32(); // table oid
    r.int16(); // column number
    const typeOid = r.int32() >>> 0;
    r.int16(); // type size
    r.int32(); // type modifier
    out.push({ name, typeOid, format: r.int16() });
  }
  return out;
}

export function parseDataRow(body: Buffer): (Buffer | null)[] {
  const r = new BodyReader(body);
  const n = r.count16(4);
  const out: (Buffer | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    out.push(len === -1 ? null : r.bytes(len));
  }
  return out;
}

export function parseCommandTag(body: Buffer): string {
  return new BodyReader(body).cstring();
}

/** The row count a command tag reports (`SELECT 3`, `INSERT 0 5`, `COPY 10`), or null when it has none. */
export function rowCountFromTag(tag: string): number | null {
  const m = /(\d+)$/.exec(tag);
  return m ? Number(m[1]) : null;
}

export function parseParameterStatus(body: Buffer): [string, string] {
  const r = new BodyReader(body);
  return [r.cstring(), r.cstring()];
}
