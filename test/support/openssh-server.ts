// A real OpenSSH server for tests: Debian's /usr/sbin/sshd, started on a free high port with a
// configuration, host key and authorized key of its own, logging in the user the test runs as.
// Tests skip (saying why) where sshd is absent.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why SSH tests cannot run here, or null when they can. */
export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is absent (apt-get install openssh-server): SSH tests skipped`;
  if (!existsSync('/usr/bin/ssh-keygen')) return 'ssh-keygen is absent: SSH tests skipped';
  return null;
}

export interface OpenSshServer {
  readonly port: number;
  readonly address: string;
  readonly user: string;
  readonly dir: string;
  /** The private key (OpenSSH format) the server accepts for `user`. */
  readonly clientKey: string;
  readonly clientKeyPath: string;
  /** The fingerprint of its host key, `SHA256:…`. */
  readonly hostKeyFingerprint: string;
  /** Its log (sshd -E), for checks that a command never ran. */
  log(): string;
  /** Replaces the host key and restarts on the same port (for host-key change tests). */
  rotateHostKey(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path, '-C', 'vigil-test']);
}

function fingerprint(pubPath: string): string {
  return execFileSync('ssh-keygen', ['-l', '-f', pubPath], { encoding: 'utf8' }).split(' ')[1]!;
}

export async function startOpenSshServer(): Promise<OpenSshServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sshd-'));
  const port = await freePort();
  const user = userInfo().username;
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin yes',
    'UsePAM no',
    'StrictModes no',
    `PidFile ${join(dir, 'sshd.pid')}`,
    'Subsystem sftp internal-sftp',
    'AllowTcpForwarding yes',
    // X11 forwarding without touching the user's ~/.Xauthority: sshd only needs an xauth it can run.
    'X11Forwarding yes',
    'XAuthLocation /bin/true',
    'AcceptEnv LANG LC_* VIGIL_TEST_*',
    'LogLevel VERBOSE',
    'MaxSessions 1000',
    'MaxStartups 1000',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let child: ChildProcess = await launch(dir, port);
  const server: OpenSshServer = {
    port,
    address: `127.0.0.1:${port}`,
    user,
    dir,
    clientKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    clientKeyPath: join(dir, 'client_key'),
    get hostKeyFingerprint() {
      return fingerprint(join(dir, 'host_key.pub'));
    },
    log: () => (existsSync(join(dir, 'sshd.log')) ? readFileSync(join(dir, 'sshd.log'), 'utf8') : ''),
    async rotateHostKey() {
      await stop(child);
      execFileSync('rm', ['-f', join(dir, 'host_key'), join(dir, 'host_key.pub')]);
      keygen(join(dir, 'host_key'));
      child = await launch(dir, port);
    },
    close: () => stop(child),
  };
  return server;
}

async function launch(dir: string, port: number): Promise<ChildProcess> {
  // -D: stays in the foreground as our child; -E: its log in a file the test can read.
  const child = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`sshd exited: ${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return child;
    if (Date.now() > deadline) throw new Error('sshd did not start in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
