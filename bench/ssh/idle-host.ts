// An SSH host for the idle-shell measurement: ssh2, any key accepted, each shell answers with a
// prompt and then waits. What is measured is the gateway's memory per shell, so the host spends
// nothing per shell (an sshd starting 200 login shells on a shared 2-core machine takes minutes).
import ssh2 from 'ssh2';
import { freePort } from '../../src/demo/demo-postgres.js';
import { generateEd25519OpenSsh } from '../../src/protocols/ssh/openssh-key.js';

export interface IdleHost {
  readonly address: string;
  readonly privateKey: string;
  close(): Promise<void>;
}

export async function startIdleHost(): Promise<IdleHost> {
  const hostKey = generateEd25519OpenSsh();
  const login = generateEd25519OpenSsh();
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) =>
      ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey']),
    );
    client.on('session', (accept) => {
      const session = accept();
      session.on('pty', (ok) => ok?.());
      session.on('env', (ok) => ok?.());
      session.on('window-change', (ok) => ok?.());
      session.on('shell', (ok) => {
        const channel = ok();
        channel.write('idle$ ');
        channel.on('data', () => undefined);
      });
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    address: `127.0.0.1:${port}`,
    privateKey: login.private,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
