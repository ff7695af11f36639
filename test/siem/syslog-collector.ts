// An in-test syslog collector: a TCP or TLS server that reads RFC 6587 octet-counted frames with
// OctetFrameReader and parses each as an RFC 5424 message.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { OctetFrameReader } from '../../src/siem/octet-frames.js';
import { parseSyslogMessage, type SyslogMessage } from '../../src/siem/syslog-message.js';

export interface SelfSignedCert {
  readonly certFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A throwaway EC certificate for 127.0.0.1, made with the openssl CLI. */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-siem-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=vigil-siem-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

export class SyslogCollector {
  readonly messages: SyslogMessage[] = [];
  /** Every byte received, for leak checks. */
  raw = '';
  /** Frames or messages that did not parse (none expected). */
  readonly errors: string[] = [];
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly tls?: SelfSignedCert) {}

  /** Listens on `port` (an ephemeral one by default: pass the old one to come back on it). */
  async start(port = 0): Promise<number> {
    const onSocket = (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      const reader = new OctetFrameReader(1024 * 1024);
      socket.on('data', (chunk: Buffer) => {
        this.raw += chunk.toString('utf8');
        try {
          for (const frame of reader.push(chunk))
            this.messages.push(parseSyslogMessage(frame.toString('utf8')));
        } catch (err) {
          this.errors.push((err as Error).message);
          socket.destroy();
        }
      });
      socket.on('error', () => undefined);
    };
    const server = this.tls
      ? createTlsServer({ cert: this.tls.cert, key: this.tls.key }, onSocket)
      : createTcpServer(onSocket);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    this.#server = server;
    return (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
