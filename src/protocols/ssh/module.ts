// SSH as a protocol module: Vigil is an SSH server on each connection's port (ssh2, with a host key
// kept in the data directory) and an SSH client of the real host. Remote commands, shell command
// lines, file transfers and forwards are actions judged before they reach the host; terminal output
// and keystrokes are recorded (docs/ssh.md).
import type { Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ConnectionConfig } from '../../core/config.js';
import { toVigilError } from '../../core/errors.js';
import type { ProtocolModule } from '../module.js';
import { describeSshAction } from './action-facts.js';
import { serveClient } from './client-connection.js';
import { coalesceWrites } from './coalesced-writes.js';
import { SSH_CONNECTION_TYPES, type SshConnectionConfig } from './config.js';
import { loadOrCreateHostKey } from './host-key.js';
import { HostKeyPins } from './host-key-pins.js';

const asSsh = (c: ConnectionConfig) => c as SshConnectionConfig;

export const sshModule: ProtocolModule = {
  name: 'ssh',
  connectionTypes: SSH_CONNECTION_TYPES,
  actionEvents: ['ssh.exec', 'ssh.command', 'ssh.file', 'ssh.forward'],
  describeAction: describeSshAction,
  samples: [
    {
      option: 'ssh',
      description: 'a command on an SSH connection (an ssh.exec, as `ssh host CMD` runs it)',
      build: async (_connection, text) => ({ type: 'ssh.exec', payload: { channel: 0, command: text } }),
    },
    {
      option: 'shell',
      description: 'a line typed at a shell prompt on an SSH connection (an ssh.command)',
      build: async (_connection, text) => ({
        type: 'ssh.command',
        payload: { channel: 0, index: 0, command: text, source: 'keystrokes' },
      }),
    },
  ],
  async start(ctx, connections) {
    if (connections.length === 0) return { close: async () => undefined };
    const hostKey = loadOrCreateHostKey(ctx.dataDir);
    const pins = new HostKeyPins(ctx.moduleState);
    await pins.importLegacy(ctx.dataDir);
    const tcp = connections.map((c) => {
      const config = asSsh(c);
      // Clients not yet signed in, by address and port: ssh2 names a client's socket by them alone.
      const signingIn = new Map<string, () => void>();
      const server = new ssh2.Server(
        { hostKeys: [hostKey.privateKey], ident: 'Vigil', banner: undefined },
        (client, info) => {
          const key = clientKey(info.ip, info.port);
          const signedIn = signingIn.get(key);
          signingIn.delete(key);
          // ssh2 says 'ready' once the client is authenticated (client-connection.ts accepted it).
          if (signedIn) client.once('ready', signedIn);
          try {
            serveClient(client, info, { config, ctx, pins });
          } catch (err) {
            ctx.logger.warn({ connection: config.name, err: toVigilError(err).message }, 'ssh client failed');
            client.end();
          }
        },
      );
      // A listener-level failure must never take the gateway down; the module owns no listening socket.
      server.on('error', (err: Error) => {
        ctx.logger.warn({ connection: config.name, err: err.message }, 'ssh server error');
      });
      return {
        connection: config.name,
        listen: config.listen,
        // Settles once the client is signed in, or gone.
        accept(socket: Socket) {
          socket.on('error', () => socket.destroy());
          const key = clientKey(socket.remoteAddress, socket.remotePort);
          return new Promise<void>((signedIn) => {
            signingIn.set(key, signedIn);
            socket.once('close', () => {
              if (signingIn.get(key) === signedIn) signingIn.delete(key);
              signedIn();
            });
            server.injectSocket(coalesceWrites(socket));
          });
        },
      };
    });
    ctx.logger.info({ fingerprint: hostKey.fingerprint }, 'ssh host key');
    return { tcp, close: async () => undefined };
  },
};

const clientKey = (address: string | undefined, port: number | undefined) => `${address}|${port}`;
