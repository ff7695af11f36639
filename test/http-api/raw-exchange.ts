// Bytes written to the gateway as they are, on one TCP connection: request lines, framing and
// pipelining that no HTTP client library would send. Resolves with everything the gateway wrote
// back before it closed the connection or went quiet.
import { connect } from 'node:net';

export interface RawAnswer {
  /** What came back, read as Latin-1 so that every byte stays one character. */
  readonly text: string;
  /** The gateway closed the connection (rather than leaving it open after its last answer). */
  readonly closed: boolean;
}

/** Writes `bytes`, then collects the answer until the connection closes or `quietMs` pass. */
export function rawExchange(gatewayUrl: string, bytes: string | Buffer, quietMs = 1500): Promise<RawAnswer> {
  const { hostname, port } = new URL(gatewayUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    let timer = setTimeout(() => finish(false), quietMs);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), quietMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

/**
 * The status codes of the answers in `text`, in order (100 Continue included). Not anchored to a
 * line: a pipelined answer follows the last byte of the one before it.
 */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}
