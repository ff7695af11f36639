// How a file action reads to policy: `OPERATION PATH` with the path as the host resolves it, so
// that `/srv/../etc/passwd`, `//etc/passwd` or `/etc/./passwd` meet a rule on `^upload /etc/`, and
// an allow rule on `^download /srv/` does not let `/srv/../etc/shadow` through. Other readings a
// deny, review or alert pattern also sees:
// - the path as sent, when it differs;
// - a relative path that climbs (`../../etc/passwd`, resolved by the host from the login directory
//   Vigil does not know) read as if it climbed to the root: `/etc/passwd`;
// - for rename, symlink and hardlink, the new name is written (`upload TARGET`: renaming a file
//   into /etc is an upload there), a rename removes its source (`remove PATH`), and a link gives a
//   new way to read its source (`download PATH`: a link to /etc/shadow is read like it), and to
//   write it (`upload PATH`); a symbolic link may name a directory, so its source is also read as
//   one (`upload PATH/`, `download PATH/`: a link to /etc meets a rule on `^upload /etc/`);
// - a symbolic link's relative source is resolved by the host from the link's directory, not from
//   the login one: `ln -s ../vault/secret /srv/open/soft` names /srv/vault/secret;
// - a directory listing (`list DIR`) is also a read of the files it shows: `download DIR/`.
import { posix } from 'node:path';

export interface FileReadings {
  readonly text: string;
  readonly alternates: string[];
}

/** The path as the host resolves its `.`, `..` and repeated slashes; relative paths stay relative. */
export function resolvedPath(path: string): string {
  return path === '' ? '' : posix.normalize(path);
}

/** A path's readings: as resolved, as sent, and, when it climbs above its start, from the root. */
function pathReadings(path: string): string[] {
  const resolved = resolvedPath(path);
  const out = [resolved];
  if (resolved.startsWith('../') || resolved === '..') out.push(`/${resolved.replace(/^(\.\.(\/|$))+/, '')}`);
  if (path !== resolved) out.push(path);
  return out;
}

const WRITES_TARGET = new Set(['rename', 'symlink', 'hardlink']);

export function fileReadings(operation: string, path: string, target: string): FileReadings {
  const [resolved, ...others] = pathReadings(path);
  const text = `${operation} ${resolved}`.trim();
  const alternates = others.map((p) => `${operation} ${p}`);
  if (target !== '' && WRITES_TARGET.has(operation)) {
    const targets = pathReadings(target);
    alternates.push(`${operation} ${resolved} ${targets[0]}`);
    for (const t of targets) alternates.push(`upload ${t}`);
    const sources = [resolved!, ...others];
    if (operation === 'symlink' && !path.startsWith('/')) {
      const fromLink = posix.join(posix.dirname(target), path);
      sources.push(...pathReadings(fromLink));
      alternates.push(`${operation} ${resolvedPath(fromLink)}`);
    }
    for (const p of sources) {
      if (operation === 'rename') {
        alternates.push(`remove ${p}`);
        continue;
      }
      alternates.push(`download ${p}`, `upload ${p}`);
      if (operation === 'symlink') {
        const dir = p.endsWith('/') ? p : `${p}/`;
        alternates.push(`download ${dir}`, `upload ${dir}`);
      }
    }
  }
  if (operation === 'list') {
    // A listing shows the names and sizes of a directory's files: a rule that denies reading them
    // (`^download /vault/`) hides the listing too. A stat of one name is judged as `stat` alone:
    // sftp stats a file before it reads it, and a refused stat reads to the client as "not found".
    for (const p of [resolved!, ...others]) alternates.push(`download ${p.endsWith('/') ? p : `${p}/`}`);
  }
  return { text, alternates: [...new Set(alternates)].filter((a) => a !== text) };
}
