// A client that pipelines 1,024 copies of a query behind its login while the gateway is still
// logging in upstream: 'read' when the gateway took every byte before closing the connection,
// 'not read' when it stopped reading (the write never completed) or closed first.
import type { Socket } from 'node:net';

export function loginFlood(socket: Socket, login: Buffer, query: Buffer): Promise<'read' | 'not read'> {
  const flood = Buffer.concat(Array.from({ length: 1024 }, () => query));
  return new Promise((resolve) => {
    socket.write(login);
    socket.write(flood, (err) => resolve(err ? 'not read' : 'read'));
    socket.once('close', () => resolve('not read'));
  });
}
