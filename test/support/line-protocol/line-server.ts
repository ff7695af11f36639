// The upstream of the line protocol: answers every line with `OK <n> <line>` (n counting lines on
// the connection), in order. A test can look at Vigil's ledger from `beforeAnswer` the moment a line
// arrives, and sees how each connection ended (a gentle end, or a reset).
import { type AddressInfo, createServer, type Socket } from 'node:net';

export interface LineServerConnection {
  readonly lines: string[];
  /** 'end': the peer closed gently; 'reset': ECONNRESET; null: still open. */
  ended: 'end' | 'reset' | 'error' | null;
}

export interface LineServer {
  /** HOST:PORT */
  readonly address: string;
  readonly connections: LineServerConnection[];
  /** Every line received, on any connection. */
  received(): string[];
  close(): Promise<void>;
}

export interface LineServerOptions {
  /** Runs as a line arrives, before it is answered; lines of a connection are handled one at a time. */
  readonly beforeAnswer?: (line: string) => Promise<void> | void;
}

export async function startLineServer(options: LineServerOptions = {}): Promise<LineServer> {
  const sockets = new Set<Socket>();
  const connections: LineServerConnection[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    const connection: LineServerConnection = { lines: [], ended: null };
    connections.push(connection);
    let pending = '';
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        connection.lines.push(line);
        const n = connection.lines.length;
        const check = options.beforeAnswer?.(line);
        queue = queue
          .then(() => check)
          .then(() => {
            if (!socket.destroyed) socket.write(`OK ${n} ${line}\n`);
          });
      }
    });
    socket.on('end', () => {
      connection.ended ??= 'end';
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      connection.ended ??= err.code === 'ECONNRESET' ? 'reset' : 'error';
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    connections,
    received: () => connections.flatMap((c) => c.lines),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
