// The demo SSH host's sftp subsystem, reduced to what Vigil asks a host before it judges a file a
// remote command writes (protocols/ssh/host-paths.ts): where a path leads (REALPATH) and what a
// link holds (READLINK), answered as OpenSSH's sftp-server answers them, relative paths from the
// demo's directory. Every other request is answered "unsupported" (ssh2 does so for requests with
// no handler), so file transfers to the demo host are refused by the host, not by Vigil.
import { readlink, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import ssh2 from 'ssh2';

const { STATUS_CODE } = ssh2.utils.sftp;

/** ENOENT and ENOTDIR are "no such file"; anything else (EINVAL: not a link, EACCES) a failure. */
function statusOf(err: unknown): number {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE;
}

export function serveDemoSftpPaths(sftp: SFTPWrapper, home: string): void {
  const answer = (reqid: number, ask: () => Promise<string>) => {
    ask().then(
      (filename) => sftp.name(reqid, [{ filename, longname: filename, attrs: {} as never }]),
      (err: unknown) => sftp.status(reqid, statusOf(err)),
    );
  };
  sftp.on('REALPATH', (reqid, path) => answer(reqid, () => realpath(resolve(home, path || '.'))));
  sftp.on('READLINK', (reqid, path) => answer(reqid, () => readlink(resolve(home, path))));
}
