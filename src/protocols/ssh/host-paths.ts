// Where a path leads on the host, for a channel that is not sftp (legacy scp, `scp -O`): its file
// lines name paths a link on the way may lead elsewhere (`/srv/open/root/etc/x` with open/root a
// link to /), as for sftp (sftp-resolve.ts). Vigil asks through an sftp subsystem channel of its
// own on its login to the host, opened at the first question and closed with the user's channel;
// a host that offers none cannot be asked, and the path is refused (statement_uncertain).
import type { Client, ClientChannel } from 'ssh2';
import { VigilError } from '../../core/errors.js';
import { SftpFramer } from './sftp-packets.js';
import { SftpPathResolver } from './sftp-resolve.js';

export interface HostPaths {
  /** Where `path` leads (following a link at its end), or null when its directory does not exist. */
  resolve(path: string): Promise<string | null>;
  close(): void;
}

/** SSH_FXP_INIT, version 3. */
const INIT = Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]);

export function hostPaths(client: Client): HostPaths {
  let channel: ClientChannel | null = null;
  let closed = false;
  let ready: Promise<SftpPathResolver> | null = null;
  const open = () =>
    new Promise<SftpPathResolver>((resolve, reject) => {
      client.subsys('sftp', (err, opened) => {
        if (err) {
          reject(
            new VigilError(
              'statement_uncertain',
              `the host cannot be asked where a path leads: ${err.message}`,
            ),
          );
          return;
        }
        channel = opened;
        if (closed) opened.close();
        const send = (packet: Buffer): Promise<void> | undefined =>
          opened.write(packet) ? undefined : new Promise((done) => opened.once('drain', () => done()));
        const resolver = new SftpPathResolver(send);
        const replies = new SftpFramer(1024 * 1024);
        opened.on('data', (chunk: Buffer) => {
          replies.push(chunk);
          try {
            for (let packet = replies.next(); packet !== null; packet = replies.next())
              resolver.claims(packet);
          } catch {
            opened.close();
          }
        });
        opened.on('close', () => resolver.close());
        opened.write(INIT);
        resolve(resolver);
      });
    });
  return {
    async resolve(path) {
      ready ??= open();
      return (await ready).resolve(path, true);
    },
    close() {
      closed = true;
      channel?.close();
    },
  };
}
