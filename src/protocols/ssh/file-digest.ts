// The SHA-256 and size of a file as it crosses the gateway. SFTP clients pipeline reads and writes,
// so pieces can arrive ahead of their turn: they wait (bounded) until the bytes before them come.
// A file written out of order beyond that bound, or rewritten, is recorded without a digest
// rather than with a wrong one.
import { createHash, type Hash } from 'node:crypto';

const MAX_WAITING_BYTES = 16 * 1024 * 1024;

export class FileDigest {
  readonly #hash: Hash = createHash('sha256');
  /** Contents kept for the record, while the file stays within `keepBytes`. */
  readonly #keepBytes: number;
  #kept: Buffer[] | null;
  readonly #waiting = new Map<number, Buffer>();
  #waitingBytes = 0;
  #next = 0;
  #broken: string | null = null;

  constructor(keepBytes = 0) {
    this.#keepBytes = keepBytes;
    this.#kept = keepBytes > 0 ? [] : null;
  }

  /** Bytes hashed so far (the file's size once complete). */
  get size(): number {
    return this.#next;
  }

  add(offset: number, data: Buffer): void {
    if (this.#broken !== null || data.length === 0) return;
    if (offset < this.#next) {
      this.#broken = 'a range was transferred twice';
      return;
    }
    if (offset > this.#next) {
      if (this.#waitingBytes + data.length > MAX_WAITING_BYTES) {
        this.#broken = 'pieces arrived too far out of order';
        this.#waiting.clear();
        return;
      }
      // A copy: the packet's buffer is reused by the relay once forwarded.
      this.#waiting.set(offset, Buffer.from(data));
      this.#waitingBytes += data.length;
      return;
    }
    this.#take(data);
    for (let piece = this.#waiting.get(this.#next); piece; piece = this.#waiting.get(this.#next)) {
      this.#waiting.delete(this.#next);
      this.#waitingBytes -= piece.length;
      this.#take(piece);
    }
  }

  /** Bytes of the file moved where the gateway cannot see them: recorded without a digest, for this reason. */
  lose(reason: string): void {
    this.#broken ??= reason;
    this.#waiting.clear();
  }

  /** The digest, or why there is none (pieces still missing count as a gap). */
  finish(): { sha256: string | null; size: number; incomplete: string | null } {
    const gap =
      this.#broken ?? (this.#waiting.size > 0 ? 'part of the file never crossed the gateway' : null);
    return { sha256: gap === null ? this.#hash.digest('hex') : null, size: this.#next, incomplete: gap };
  }

  #take(data: Buffer): void {
    this.#hash.update(data);
    this.#next += data.length;
    if (this.#kept === null) return;
    // Past the cap nothing is kept: a record holds a whole small file or no contents at all.
    if (this.#next > this.#keepBytes) this.#kept = null;
    else this.#kept.push(Buffer.from(data));
  }

  /** The whole file when it was kept (keepBytes given and not exceeded), else null. */
  contents(): Buffer | null {
    return this.#kept === null || this.#broken !== null ? null : Buffer.concat(this.#kept);
  }
}

/**
 * Kept contents as a record field: text when it is UTF-8 (so masking reads it), base64 otherwise
 * (which masking cannot read: docs/ssh.md says so).
 */
export function contentsField(contents: Buffer | null): Record<string, string> {
  if (contents === null) return {};
  const text = contents.toString('utf8');
  return Buffer.from(text, 'utf8').equals(contents)
    ? { contents: text }
    : { contents_base64: contents.toString('base64') };
}
