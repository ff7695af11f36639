// What a `COPY … TO STDOUT` sent the client goes into its statement's db.result, as the rows of a
// SELECT do: the server sends one CopyData per row, which is decoded into cells by the statement's
// format and options (copy-out-shape.ts) and recorded under the same bounds (record_rows, and
// RECORDED_VALUE_BYTES a value). The db.result is masked before it is stored, so cells go through
// the pattern rules, and the cells of a column whose name marks it secret are masked whole. Where a
// column's name is not certain, none of its values is recorded: `{ withheld: 'column unknown',
// bytes }` takes its place. Binary copies, and lines Vigil cannot decode, are recorded by size
// (and, for binary, the SHA-256 of all data) only, which the result's `copy` says.
import { createHash, type Hash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { BodyReader } from './body-reader.js';
import type { CopyOutShape } from './copy-out-shape.js';
import { recordedValue } from './recorded-value.js';

export class CopyOutRecord {
  readonly #shape: CopyOutShape | undefined;
  readonly #limit: number;
  readonly #names: (string | null)[];
  readonly #binary: boolean;
  readonly #hash: Hash | null;
  readonly rows: JsonValue[][] = [];
  #lines = 0;
  #bytes = 0;
  #headerPending: boolean;
  #undecoded = 0;

  /** `shape` is undefined when Vigil could not read the statement: nothing is decoded then. */
  constructor(response: Buffer, shape: CopyOutShape | undefined, limit: number) {
    const r = new BodyReader(response);
    this.#binary = r.byte() === 1;
    const count = Math.max(0, r.int16());
    this.#shape = shape;
    this.#limit = limit;
    const names = shape?.columns;
    this.#names = names?.length === count ? [...names] : new Array<null>(count).fill(null);
    this.#hash = this.#binary || shape?.format === 'binary' ? createHash('sha256') : null;
    this.#headerPending = shape?.format === 'csv' && shape.header;
  }

  /** Column names as recorded: a name Vigil is not sure of is left empty. */
  get columns(): string[] {
    return this.#names.map((n) => n ?? '');
  }

  /** One CopyData the client receives. */
  data(body: Buffer): void {
    this.#bytes += body.length;
    if (this.#hash) return void this.#hash.update(body);
    if (this.#headerPending) {
      // The header line names the columns in order; it is not a row of the table.
      this.#headerPending = false;
      return;
    }
    this.#lines++;
    if (this.rows.length >= this.#limit) return;
    const cells = this.#decode(body);
    if (cells === null) {
      this.#undecoded++;
      this.rows.push([{ withheld: 'line not decoded', bytes: body.length }]);
    } else this.rows.push(cells.map((c, i) => this.#cell(c, i)));
  }

  /** A CopyData too large to hold, passed on as it arrives: counted, never read. */
  streamed(bytes: number): void {
    this.#bytes += bytes;
    this.#hash?.update(`\u0000unread ${bytes}`);
    if (this.#hash) return;
    this.#lines++;
    if (this.rows.length < this.#limit) this.rows.push([{ withheld: 'line too large', bytes }]);
  }

  /** What the result says of the copy: its format, size, what was not recorded and why. */
  summary(): JsonObject {
    const format = this.#hash ? 'binary' : (this.#shape?.format ?? 'text');
    const base: JsonObject = { direction: 'out', format, bytes: this.#bytes };
    if (this.#hash)
      return { ...base, recorded: 'size and sha256 only', sha256: this.#hash.copy().digest('hex') };
    return {
      ...base,
      rows_not_recorded: this.#lines - this.rows.length,
      ...(this.#names.some((n) => n === null)
        ? { columns_unknown: this.#names.filter((n) => n === null).length }
        : {}),
      ...(this.#undecoded > 0 ? { lines_not_decoded: this.#undecoded } : {}),
    };
  }

  #cell(value: Buffer | null, i: number): JsonValue {
    if (value === null) return null;
    if (this.#names[i] === null || this.#names[i] === undefined)
      return { withheld: 'column unknown', bytes: value.length };
    return recordedValue(value, false);
  }

  #decode(line: Buffer): (Buffer | null)[] | null {
    const s = this.#shape;
    if (!s || s.delimiter === null || s.quote === null || s.escape === null) return null;
    const body = line[line.length - 1] === 0x0a ? line.subarray(0, line.length - 1) : line;
    const cells = s.format === 'csv' ? csvCells(body, s) : textCells(body, s);
    return cells && cells.length === this.#names.length ? cells : null;
  }
}

/** A text-format line: fields split on the delimiter, `\N` (the NULL string) as null, escapes undone. */
function textCells(line: Buffer, s: CopyOutShape): (Buffer | null)[] {
  const delimiter = s.delimiter!.charCodeAt(0);
  const out: (Buffer | null)[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && line[i] === 0x5c) {
      i++; // an escaped byte is never a delimiter
      continue;
    }
    if (i < line.length && line[i] !== delimiter) continue;
    const raw = line.subarray(start, i);
    out.push(raw.equals(Buffer.from(s.nullText)) ? null : unescapeText(raw));
    start = i + 1;
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

function unescapeText(raw: Buffer): Buffer {
  if (!raw.includes(0x5c)) return raw;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x5c || i + 1 >= raw.length) {
      out.push(b);
      continue;
    }
    const c = String.fromCharCode(raw[++i]!);
    const octal = /^[0-7]{1,3}/.exec(raw.toString('latin1', i, i + 3));
    const hex = c === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(raw.toString('latin1', i + 1, i + 3)) : null;
    if (octal) {
      out.push(Number.parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else if (hex) {
      out.push(Number.parseInt(hex[0], 16));
      i += hex[0].length;
    } else out.push(SIMPLE_ESCAPES[c] ?? raw[i]!);
  }
  return Buffer.from(out);
}

/** A csv line: quoted fields with the escape before a quote; an unquoted NULL string is null. */
function csvCells(line: Buffer, s: CopyOutShape): (Buffer | null)[] | null {
  const [delimiter, quote, esc] = [s.delimiter!, s.quote!, s.escape!].map((c) => c.charCodeAt(0));
  const out: (Buffer | null)[] = [];
  let i = 0;
  for (;;) {
    if (line[i] !== quote) {
      let end = line.indexOf(delimiter, i);
      if (end < 0) end = line.length;
      const raw = line.subarray(i, end);
      out.push(raw.equals(Buffer.from(s.nullText)) ? null : raw);
      i = end;
    } else {
      const bytes: number[] = [];
      for (i++; ; i++) {
        if (i >= line.length) return null; // an unterminated quote: not a line Vigil reads
        const b = line[i]!;
        if (b === esc && (line[i + 1] === quote || (esc !== quote && line[i + 1] === esc))) {
          bytes.push(line[i + 1]!);
          i++;
        } else if (b === quote) break;
        else bytes.push(b);
      }
      out.push(Buffer.from(bytes));
      i++;
    }
    if (i >= line.length) return out;
    if (line[i] !== delimiter) return null;
    i++;
    if (i === line.length) {
      out.push(s.nullText === '' ? null : Buffer.alloc(0));
      return out;
    }
  }
}
