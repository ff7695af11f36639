// A client that pipelines 1,024 copies of a query behind its login while the gateway is still
// logging in upstream: 'read' when the gateway took every byte before closing the connection,
// 'not read' when it stopped reading (the write never completed) or closed first.
import { connect, type Socket } from 'node:net';
import type { TestGateway } from './gateway.js';

/** A raw socket connected to the gateway's listener of `connection`, its errors left to the test. */
export async function connectToListener(gateway: TestGateway, connection: string): Promise<Socket> {
  const address = gateway.listeners.find((l) => l.connection === connection)!.address;
  const socket = connect({ host: '127.0.0.1', port: Number(address.slice(address.lastIndexOf(':') + 1)) });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return socket;
}

export function loginFlood(socket: Socket, login: Buffer, query: Buffer): Promise<'read' | 'not read'> {
  const flood = Buffer.concat(Array.from({ length: 1024 }, () => query));
  return new Promise((resolve) => {
    socket.write(login);
    socket.write(flood, (err) => resolve(err ? 'not read' : 'read'));
    socket.once('close', () => resolve('not read'));
  });
}
