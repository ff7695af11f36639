// Every file under a running gateway's data directory, for the tests that scan it for leaked
// secrets. The files are copied by another process and read from the copy. Why: POSIX record
// locks belong to a process, not to a descriptor, so opening and closing the live SQLite database
// (or its -wal and -shm files) here, in the gateway's own process, drops every lock the gateway's
// connections hold. Another process that then closes its connection (a `vigil replay` run, say)
// believes it is the last one, checkpoints and deletes the write-ahead log under the gateway, and
// the database ends up malformed. A copy made by `cp` leaves this process's locks alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export interface DataDirFile {
  /** The file's path in the data directory (not in the copy). */
  readonly path: string;
  readonly bytes: Buffer;
}

export function dataDirFiles(dir: string): DataDirFile[] {
  const copy = mkdtempSync(join(tmpdir(), 'vigil-data-copy-'));
  try {
    execFileSync('cp', ['-a', `${dir}/.`, copy]);
    return filesUnder(copy).map((file) => ({
      path: join(dir, relative(copy, file)),
      bytes: readFileSync(file),
    }));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
