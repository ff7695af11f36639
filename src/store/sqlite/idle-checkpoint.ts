// WAL checkpoints for the append writer, run between batches rather than inside one.
// SQLite's autocheckpoint runs within the COMMIT that takes the WAL past `wal_autocheckpoint`
// frames: that commit (about one in 170 of a gateway's single-event commits) also read back and
// copied some 160 pages and waited for two more fsyncs before its answer was posted, and the
// request behind it waited too. Here the answer goes first; the checkpoint runs once the writer has
// no batch waiting. The autocheckpoint stays, at twice the threshold, for a writer never idle.
// Checkpointing changes where pages live, not what is durable: every commit is synced as before.
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import type Database from 'better-sqlite3';

/** WAL frames not yet copied into the database that make the writer checkpoint when idle. */
export const IDLE_CHECKPOINT_FRAMES = 1_000;

// The wal-index (the -shm file, https://sqlite.org/walformat.html#the_wal_index_file_format):
// mxFrame at byte 16 of the header, nBackfill at byte 96 (the checkpoint info after the header's
// two copies), both 32-bit in the machine's byte order.
const MX_FRAME = 16;
const N_BACKFILL = 96;
const HEADER_BYTES = 100;
/**
 * Writes between looks at the wal-index, unless one was large: a look is a read of the -shm file
 * and a turn of the thread's event loop, a few µs that a single-event commit need not pay each.
 */
const LOOK_EVERY_WRITES = 8;
const LARGE_WRITE_EVENTS = 64;

export interface IdleCheckpointer {
  /** Call after each answer is posted (with the batch's event count): may schedule a checkpoint. */
  afterWrite(events: number): void;
  /** Frames in the WAL not yet copied into the database; 0 when the wal-index cannot be read. */
  pendingFrames(): number;
  close(): void;
}

/**
 * `schedule` runs its callback once the messages already queued for this thread are handled
 * (setImmediate in the worker; a test runs it by hand).
 */
export function idleCheckpointer(
  db: Database.Database,
  path: string,
  schedule: (run: () => void) => void = setImmediate,
): IdleCheckpointer {
  db.pragma(`wal_autocheckpoint = ${IDLE_CHECKPOINT_FRAMES * 2}`);
  const header = Buffer.alloc(HEADER_BYTES);
  const read = endianness() === 'LE' ? header.readUInt32LE.bind(header) : header.readUInt32BE.bind(header);
  let shm: number | null = null;
  let scheduled = false;
  let writes = 0;

  function pendingFrames(): number {
    try {
      shm ??= openSync(`${path}-shm`, 'r');
      if (readSync(shm, header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return 0;
      return Math.max(0, read(MX_FRAME) - read(N_BACKFILL));
    } catch {
      return 0; // The autocheckpoint remains.
    }
  }

  function checkpoint(): void {
    scheduled = false;
    if (!db.open || pendingFrames() < IDLE_CHECKPOINT_FRAMES) return;
    try {
      // PASSIVE: copies what no reader still needs, never waits for one.
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failed: the next idle moment, or the autocheckpoint, tries again.
    }
  }

  return {
    pendingFrames,
    afterWrite(events) {
      writes++;
      if (scheduled || (writes % LOOK_EVERY_WRITES !== 0 && events < LARGE_WRITE_EVENTS)) return;
      scheduled = true;
      schedule(checkpoint);
    },
    close() {
      if (shm !== null) closeSync(shm);
      shm = null;
    },
  };
}
