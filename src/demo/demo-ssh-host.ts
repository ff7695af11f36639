// The demo's SSH target: a small SSH server (ssh2) that needs no installed sshd, serving a shell and
// remote commands in a temporary directory. It accepts one key pair, made per start, whose private
// half only Vigil holds (the `ssh` connection's credential). A shell with a terminal runs through
// util-linux `script` to get a real pty where it is installed, else a plain interactive shell. Its
// sftp subsystem answers only where paths lead (demo-sftp-paths.ts): what Vigil asks a host before
// it judges the files a remote command writes.
// For the demo only: every login runs as the user running Vigil, in the temporary directory.
import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';
import { generateEd25519OpenSsh } from '../protocols/ssh/openssh-key.js';
import { freePort } from './demo-postgres.js';
import { serveDemoSftpPaths } from './demo-sftp-paths.js';

export interface DemoSshHost {
  /** 127.0.0.1:PORT */
  readonly address: string;
  /** The private key Vigil logs in with (OpenSSH format). */
  readonly privateKey: string;
  /** The directory the shell starts in. */
  readonly home: string;
  close(): Promise<void>;
}

const SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

export async function startDemoSshHost(): Promise<DemoSshHost> {
  const home = mkdtempSync(join(tmpdir(), 'vigil-demo-ssh-'));
  const hostKey = generateEd25519OpenSsh();
  const login = generateEd25519OpenSsh();
  const allowed = ssh2.utils.parseKey(login.public);
  if (allowed instanceof Error) throw allowed;
  const env = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', PS1: 'demo$ ' };

  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (
        ctx.method === 'publickey' &&
        ctx.key.algo === allowed.type &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH()) &&
        (!ctx.signature ||
          (ctx.blob !== undefined && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true))
      ) {
        return ctx.accept();
      }
      ctx.reject(['publickey']);
    });
    client.on('session', (accept) => {
      const session = accept();
      let terminal: { term: string; cols: number; rows: number } | null = null;
      session.on('pty', (ok, _no, info) => {
        terminal = { term: info.term, cols: info.cols, rows: info.rows };
        ok?.();
      });
      session.on('env', (ok) => ok?.());
      session.on('window-change', (ok) => ok?.());
      session.on('shell', (ok) => {
        const channel = ok();
        const size = terminal ? `stty rows ${terminal.rows} cols ${terminal.cols} 2>/dev/null; ` : '';
        const args =
          terminal && existsSync('/usr/bin/script')
            ? ['/usr/bin/script', ['-qfc', `${size}exec ${SHELL} --norc -i`, '/dev/null']]
            : [SHELL, ['-i']];
        run(channel, args[0] as string, args[1] as string[], home, {
          ...env,
          TERM: terminal?.term ?? 'dumb',
        });
      });
      session.on('exec', (ok, _no, info) => {
        run(ok(), SHELL, ['-c', info.command], home, env);
      });
      session.on('sftp', (ok) => serveDemoSftpPaths(ok(), home));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${port}`,
    privateKey: login.private,
    home,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

function run(
  channel: ServerChannel,
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): void {
  const child = spawn(command, args, { cwd, env, stdio: 'pipe' });
  channel.pipe(child.stdin);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  child.stdin.on('error', () => undefined);
  child.on('error', (err) => {
    channel.stderr.write(`demo host: ${err.message}\n`);
    channel.exit(127);
    channel.end();
  });
  child.on('close', (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 0);
    channel.end();
  });
  channel.on('close', () => child.kill());
}
