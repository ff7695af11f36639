// What a client sends with `COPY … FROM STDIN` goes into its statement's db.result the way the rows
// of a COPY TO STDOUT do (copy-out.ts): the data is cut into lines as the server reads them
// (copy-in-lines.ts), each line decoded into cells by the statement's format and options, and the
// first record_rows lines recorded, each value bounded (RECORDED_VALUE_BYTES) and masked with the
// result (a secret-named column's values whole). A value is recorded under a column's name only
// where the COPY names its columns (`COPY payroll (id, password) FROM STDIN`); a bare table leaves
// every name unknown and no value is recorded (`{ withheld: 'column unknown', bytes }`). Binary data
// is recorded by size and SHA-256 only. Beyond record_rows, the result's `copy` says how many lines
// were sent, how many bytes, and the SHA-256 of all the data as the client sent it (every CopyData
// body in order), so the whole of what was copied is committed to even where it is not recorded.
import { createHash, type Hash } from 'node:crypto';
import { parseSync } from 'libpg-query';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { CopyInLines } from './copy-in-lines.js';
import { CopyOutRecord } from './copy-out.js';
import { type CopyOutShape, shapeOf } from './copy-out-shape.js';
import { asNode } from './sql-facts-tree.js';

/** How the client ended the copy, if it had when the server answered. */
export type CopyInEnd = 'CopyDone' | 'CopyFail';

/**
 * The shapes of the statements of `sql` that read data FROM STDIN, in order (a COPY FROM a file or
 * a program reads none from the client); empty when the text does not parse.
 */
export function copyInShapes(sql: string): CopyOutShape[] {
  try {
    const stmts = ((parseSync(sql) as { stmts?: unknown[] }).stmts ?? []) as unknown[];
    return stmts.flatMap((s) => {
      const copy = asNode(asNode(asNode(s)?.stmt)?.CopyStmt);
      return copy?.is_from && !copy.filename && !copy.is_program ? [shapeOf(copy)] : [];
    });
  } catch {
    return [];
  }
}

export class CopyInRecord {
  readonly #cells: CopyOutRecord;
  readonly #lines: CopyInLines | null;
  readonly #hash: Hash = createHash('sha256');
  readonly #limit: number;
  readonly #shape: CopyOutShape | undefined;
  #bytes = 0;
  #messages = 0;
  #ended: CopyInEnd | null = null;
  /** Why Vigil sent the server CopyFail in place of the client's CopyDone (copy-in-commit.ts). */
  #failedByVigil: string | null = null;
  /** The first line is a header to skip: it is held whatever the limit, so it is read as one. */
  #headerPending: boolean;

  /**
   * `response` is the server's CopyInResponse body (format and column count); `shape` undefined
   * when Vigil could not read the statement: nothing is decoded then.
   */
  constructor(response: Buffer, shape: CopyOutShape | undefined, limit: number) {
    this.#cells = new CopyOutRecord(response, shape, limit);
    this.#limit = limit;
    this.#headerPending = shape?.format === 'csv' && shape.header;
    const binary = binaryOrUnknown(response, shape);
    this.#shape = binary && shape ? { ...shape, format: 'binary' } : shape;
    const csv = shape?.format === 'csv' && shape.quote !== null && shape.escape !== null;
    this.#lines = binary
      ? null
      : new CopyInLines(
          { csv: csv ? { quote: shape.quote!.charCodeAt(0), escape: shape.escape!.charCodeAt(0) } : null },
          () => this.#headerPending || this.#cells.rows.length < this.#limit,
          (line) => {
            this.#headerPending = false;
            if (Buffer.isBuffer(line)) this.#cells.data(line);
            else this.#cells.streamed(line.bytes);
          },
        );
  }

  /** One CopyData body, as the client sent it. */
  data(body: Buffer): void {
    if (this.#ended) return;
    this.#bytes += body.length;
    this.#messages++;
    this.#hash.update(body);
    this.#lines?.push(body);
  }

  /** The client's CopyDone or CopyFail. */
  end(how: CopyInEnd): void {
    if (this.#ended) return;
    this.#ended = how;
    this.#lines?.end();
  }

  /** Vigil failed the copy in place of the client's CopyDone, for `reason`. */
  failedByVigil(reason: string): void {
    this.#ended = 'CopyFail';
    this.#failedByVigil = reason;
  }

  get columns(): string[] {
    return this.#cells.columns;
  }

  get rows(): JsonValue[][] {
    return this.#cells.rows;
  }

  /** What the result says of the data: its format, size, digest, what was not recorded and why. */
  summary(): JsonObject {
    const digest = {
      bytes: this.#bytes,
      messages: this.#messages,
      sha256: this.#hash.copy().digest('hex'),
      // The server answered before the client ended the copy (it failed it): what came after is
      // not part of the copy.
      ended: this.#ended ?? 'not before the server answered',
      ...(this.#failedByVigil ? { failed_by_vigil: this.#failedByVigil } : {}),
    };
    if (!this.#lines) {
      // Binary, or a statement Vigil could not read: no line is decoded.
      const format = this.#shape?.format ?? 'unknown';
      return { direction: 'in', format, ...digest, recorded: 'size and sha256 only' };
    }
    const { direction: _, bytes: __, ...cells } = this.#cells.summary();
    const lines = this.#cells.rows.length + Number(cells.rows_not_recorded ?? 0);
    return {
      direction: 'in',
      ...cells,
      ...digest,
      lines,
      ...(this.#lines.ended ? { bytes_after_end_marker: this.#lines.ignored } : {}),
    };
  }
}

function binaryOrUnknown(response: Buffer, shape: CopyOutShape | undefined): boolean {
  return response[0] === 1 || shape === undefined || shape.format === 'binary';
}
