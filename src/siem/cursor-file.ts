// A sink's place in the log: the next global index to deliver, kept in one small file per sink.
// Written as temp file + fsync + rename + fsync of the directory, so a crash leaves either the old
// cursor or the new one, never a torn file; an old cursor only means a batch is sent again.
// Asynchronous throughout: an fsync must never hold up the event loop the data path runs on.
import { readFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';

export class CursorFile {
  readonly path: string;
  readonly #dir: string;

  constructor(dir: string, sinkName: string) {
    this.#dir = dir;
    this.path = join(dir, `${sinkName}.cursor.json`);
  }

  /** The next index to deliver; 0 when the sink has never acknowledged anything. Read once, at start. */
  read(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let next: unknown;
    try {
      next = (JSON.parse(text) as { next_index?: unknown } | null)?.next_index;
    } catch {
      next = undefined;
    }
    if (typeof next !== 'number' || !Number.isSafeInteger(next) || next < 0)
      throw new Error(`${this.path} holds no valid next_index`);
    return next;
  }

  async write(nextIndex: number): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.tmp`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(
        `${JSON.stringify({ next_index: nextIndex, written_at: new Date().toISOString() })}\n`,
      );
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.path);
    // The rename itself is durable only once the directory is synced.
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
