// One witness process per directory. Each process judges from the heads it holds in memory, so two
// serving one directory (a second start before the first stopped, two replicas behind a load
// balancer on a shared volume) would each cosign a different history of the same size from the same
// old head: the split view a witness exists to prevent. The lock file names the holder's pid; a
// lock whose process is gone (a crash, kill -9) is taken over.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';

const LOCK_FILE = 'witness.lock';

/** Takes the directory's lock for this process; returns its release. Throws `usage` while another holds it. */
export function lockWitnessDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  // Written whole first, then linked into place: the lock never exists without its pid (a link
  // fails with EEXIST like an exclusive open, so two starters cannot both make it).
  const staged = `${path}.${process.pid}`;
  writeFileSync(staged, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(staged, path);
        return () => {
          if (holderOf(path) === process.pid) rmSync(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = holderOf(path);
      if (holder !== null && holder !== process.pid && alive(holder)) {
        throw new VigilError(
          'usage',
          `another witness (pid ${holder}) serves ${dir}: two would each cosign from their own memory; stop it first (or remove ${path} if that process is not a witness)`,
        );
      }
      // Left by a process that is gone (a crash, kill -9): taken over.
      rmSync(path, { force: true });
    }
    throw new VigilError('usage', `cannot take the witness lock ${path}`);
  } finally {
    rmSync(staged, { force: true });
  }
}

/** The pid in the lock file; null when it is gone or unreadable (taken as stale). */
function holderOf(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
