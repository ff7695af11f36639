// RFC 5424 messages over TCP with octet-counting framing (RFC 6587), or over TLS (RFC 5425).
// Syslog has no application-level acknowledgement: a batch counts as delivered once the socket
// accepted every byte (the kernel has it). A collector that dies with bytes unread loses them, so
// delivery here is at least once only up to the kernel; docs/siem.md says so.
import { readFileSync } from 'node:fs';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { encodeOctetFrame } from './octet-frames.js';
import { type SiemRecord, type SiemSink, SinkError } from './sink.js';
import { formatSyslogMessage } from './syslog-message.js';

export interface SyslogSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** PEM file of the collector's CA (TLS only). */
  readonly caFile?: string | undefined;
  readonly facility: number;
  readonly appName: string;
  readonly connectTimeoutMs?: number;
}

/** The private enterprise number RFC 5612 reserves for documentation: our SD-ID is not registered. */
export const VIGIL_SD_ID = 'vigil@32473';

export class SyslogSink implements SiemSink {
  readonly #options: SyslogSinkOptions;
  readonly #hostname =
    hostname()
      .replace(/[^!-~]/g, '')
      .slice(0, 255) || '-';
  #socket: Socket | null = null;

  constructor(options: SyslogSinkOptions) {
    this.#options = options;
  }

  async deliver(batch: readonly SiemRecord[]): Promise<void> {
    const bytes = Buffer.concat(batch.map((r) => encodeOctetFrame(this.#message(r))));
    const socket = this.#socket ?? (await this.#connect());
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new SinkError(`syslog write failed: ${codeOf(err)}`));
      socket.once('error', fail);
      socket.write(bytes, (err) => {
        socket.off('error', fail);
        if (err) fail(err);
        else resolve();
      });
    }).catch(async (err) => {
      await this.close();
      throw err;
    });
  }

  #message(r: SiemRecord): string {
    return formatSyslogMessage({
      pri: this.#options.facility * 8 + severityOf(r.type),
      timestamp: r.time,
      hostname: this.#hostname,
      appName: this.#options.appName,
      procId: String(process.pid),
      msgId: r.type.slice(0, 32),
      structuredData: { id: VIGIL_SD_ID, params: [['index', String(r.index)]] },
      msg: r.line,
    });
  }

  async #connect(): Promise<Socket> {
    const { host, port, tls, caFile } = this.#options;
    const socket = tls
      ? tlsConnect({
          host,
          port,
          ...(caFile ? { ca: readFileSync(caFile) } : {}),
          ...(isIP(host) ? {} : { servername: host }),
        })
      : tcpConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SinkError('syslog connect timed out'));
      }, this.#options.connectTimeoutMs ?? 10_000);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new SinkError(`syslog connect failed: ${codeOf(err)}`));
      });
    });
    // From here a broken connection is noticed by the next write; an error must not go unhandled.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = null;
    });
    // Anything the collector sends is ignored (syslog has no replies).
    socket.resume();
    this.#socket = socket;
    return socket;
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.end(() => resolve());
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}

/** Refusals are warnings, policy decisions notices, everything else informational. */
function severityOf(type: string): number {
  if (type === 'access.denied') return 4;
  if (type === 'policy.decision') return 5;
  return 6;
}

function codeOf(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.name;
}
